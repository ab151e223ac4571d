/**
 * A DTO instance over a parsed JSON object, for class-validator: the same own properties, no copy.
 * The DTOs declare no type conversions, so this is what class-transformer's plainToInstance would give
 * (it would also deep-copy every array and object, which costs more than validating a batch item).
 * defineProperty, not assignment: a `__proto__` key stays an ordinary (unknown, so refused) field.
 */
export function dtoInstanceOf<T extends object>(type: new () => T, plain: Record<string, unknown>): T {
  const dto = new type();
  for (const key of Object.keys(plain)) {
    Object.defineProperty(dto, key, { value: plain[key], enumerable: true, writable: true, configurable: true });
  }
  return dto;
}
