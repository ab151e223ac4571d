/**
 * Villages (thôn, tổ dân phố, khóm, ấp) have no national code list: a team registers its village by
 * name under a commune, and the name is the key projections group by. The normalisation is the same
 * as the registry domain's normaliseVillage, so both sides agree on what "the same village" is.
 */
export const MAX_VILLAGE_NAME_LENGTH = 200;

/** Letters (any script, with combining marks), digits, spaces and the punctuation village names use. */
const VILLAGE_NAME = /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} .,'’\-/()]*$/u;

export const normalizeVillageName = (name: string): string => name.normalize('NFC').trim().replace(/\s+/gu, ' ');

export type VillageNameProblem = 'VILLAGE_NAME_EMPTY' | 'VILLAGE_NAME_TOO_LONG' | 'VILLAGE_NAME_INVALID_CHARACTERS';

export type VillageNameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly code: VillageNameProblem; readonly message: string };

export const validateVillageName = (name: unknown): VillageNameCheck => {
  const normalized = typeof name === 'string' ? normalizeVillageName(name) : '';
  if (normalized.length === 0) return { ok: false, code: 'VILLAGE_NAME_EMPTY', message: 'village must be a non-empty name' };
  if (normalized.length > MAX_VILLAGE_NAME_LENGTH) {
    return { ok: false, code: 'VILLAGE_NAME_TOO_LONG', message: `village must be at most ${MAX_VILLAGE_NAME_LENGTH} characters` };
  }
  if (!VILLAGE_NAME.test(normalized)) {
    return {
      ok: false,
      code: 'VILLAGE_NAME_INVALID_CHARACTERS',
      message: "village may contain letters, digits, spaces and . , ' - / ( ) only, starting with a letter or digit",
    };
  }
  return { ok: true, name: normalized };
};
