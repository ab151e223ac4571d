import { DomainError } from './domain-error';

/**
 * Identifiers end up inside stream names and read-model keys, so they are plain tokens: letters,
 * digits and `_ . : -`, starting with a letter or digit. Uuids (client-generated activity ids) are
 * checked strictly because the write side uses them as event ids.
 */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export const requireId = (value: unknown, field: string): string => {
  if (!isId(value)) {
    throw new DomainError('INVALID_ID', `${field} must be an identifier of letters, digits and _ . : -`, field);
  }
  return value;
};

export const requireUuid = (value: unknown, field: string): string => {
  if (!isUuid(value)) throw new DomainError('INVALID_ID', `${field} must be a uuid`, field);
  return value;
};
