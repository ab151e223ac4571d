/**
 * Old schema versions are upcast on read, never rewritten: the stored row (and its hash) stays as written.
 */
export interface Upcaster {
  type: string;
  fromSchemaVersion: number;
  upcast(data: Record<string, unknown>): { schemaVersion: number; data: Record<string, unknown> };
}

export type UpcastFn = (
  type: string,
  schemaVersion: number,
  data: Record<string, unknown>,
) => { schemaVersion: number; data: Record<string, unknown> };

/** Builds the read-side upcaster: applies steps (v1 → v2 → v3 …) until no step matches. */
export function upcasterChain(upcasters: Upcaster[] = []): UpcastFn {
  const steps = new Map<string, Upcaster>();
  for (const upcaster of upcasters) {
    const key = `${upcaster.type}@${upcaster.fromSchemaVersion}`;
    if (steps.has(key)) throw new Error(`two upcasters for ${key}`);
    steps.set(key, upcaster);
  }
  return (type, schemaVersion, data) => {
    let current = { schemaVersion, data };
    for (let step = steps.get(`${type}@${current.schemaVersion}`); step; step = steps.get(`${type}@${current.schemaVersion}`)) {
      const next = step.upcast(current.data);
      if (next.schemaVersion <= current.schemaVersion) {
        throw new Error(`upcaster ${type}@${current.schemaVersion} must raise the schema version`);
      }
      current = next;
    }
    return current;
  };
}
