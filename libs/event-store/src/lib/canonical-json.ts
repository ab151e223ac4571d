/**
 * RFC 8785 (JCS) canonical JSON, byte for byte what the `canonicalize` package writes (the spec pins
 * it against that package): object keys sorted by UTF-16 code units, members whose value is undefined
 * or a symbol left out, such array elements written as null, numbers and strings as JSON.stringify
 * writes them (ECMAScript number serialisation), toJSON honoured. This one builds the string in plain
 * loops: every append digests every event, and the package's reduce and template strings cost half
 * as much again.
 */
export function canonicalJson(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new Error('NaN is not allowed');
    if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
    return JSON.stringify(value);
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') return canonicalJson((withToJson.toJSON as () => unknown).call(value));
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (i > 0) out += ',';
      out += item === undefined || typeof item === 'symbol' ? 'null' : String(canonicalJson(item));
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || typeof item === 'symbol') continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${String(canonicalJson(item))}`;
    first = false;
  }
  return `${out}}`;
}
