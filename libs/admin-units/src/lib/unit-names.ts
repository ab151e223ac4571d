/**
 * The packages spell some names with doubled or trailing spaces and capitalised type words
 * ("Thị Trấn Mường Chà"); the reference data and the 2025 list write "Thị trấn". Display names are
 * cleaned of those; comparison keys go further so the same unit written two ways compares equal.
 */
const TYPE_WORDS_CASING: ReadonlyArray<[RegExp, string]> = [
  [/^Thị Trấn /u, 'Thị trấn '],
  [/^Thị Xã /u, 'Thị xã '],
  [/^Thành Phố /u, 'Thành phố '],
];

export const collapseSpaces = (value: string): string => value.normalize('NFC').trim().replace(/\s+/gu, ' ');

export const normalizeUnitName = (name: string): string =>
  TYPE_WORDS_CASING.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), collapseSpaces(name));

/** Unit-type words that open a name, longest first so "thành phố" wins over shorter overlaps. */
const TYPE_PREFIX = /^(thành phố|thị trấn|thị xã|đặc khu|phường|quận|huyện|tỉnh|xã)\s+/u;

/**
 * Old and new Vietnamese tone placement ("Hoà" / "Hòa", "Thuỷ" / "Thủy") both appear in official lists;
 * the key uses the new placement.
 */
const TONE_PLACEMENT: Readonly<Record<string, string>> = {
  oà: 'òa', oá: 'óa', oả: 'ỏa', oã: 'õa', oạ: 'ọa',
  oè: 'òe', oé: 'óe', oẻ: 'ỏe', oẽ: 'õe', oẹ: 'ọe',
  uỳ: 'ùy', uý: 'úy', uỷ: 'ủy', uỹ: 'ũy', uỵ: 'ụy',
};
const OLD_TONE_PLACEMENT = new RegExp(Object.keys(TONE_PLACEMENT).join('|'), 'gu');

/** A key for comparing names across sources: case, spacing, apostrophe style, tone placement and (optionally) the type word ignored. */
export const unitNameKey = (name: string, options: { withoutType?: boolean } = {}): string => {
  // Vietnamese has no locale-specific case rules, so the plain (fast) lower-casing is exact here.
  const key = collapseSpaces(name)
    .toLowerCase()
    .replace(/[’‘`]/gu, "'")
    .replace(OLD_TONE_PLACEMENT, (pair) => TONE_PLACEMENT[pair]);
  return options.withoutType ? key.replace(TYPE_PREFIX, '') : key;
};

/** Codes are digit strings of equal length per level: plain ordering, without the cost of a collator. */
export const compareCodes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
