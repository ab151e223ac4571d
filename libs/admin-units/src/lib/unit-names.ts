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
const TONE_PLACEMENT: ReadonlyArray<[string, string]> = [
  ['oà', 'òa'], ['oá', 'óa'], ['oả', 'ỏa'], ['oã', 'õa'], ['oạ', 'ọa'],
  ['oè', 'òe'], ['oé', 'óe'], ['oẻ', 'ỏe'], ['oẽ', 'õe'], ['oẹ', 'ọe'],
  ['uỳ', 'ùy'], ['uý', 'úy'], ['uỷ', 'ủy'], ['uỹ', 'ũy'], ['uỵ', 'ụy'],
];

/** A key for comparing names across sources: case, spacing, tone placement and (optionally) the type word ignored. */
export const unitNameKey = (name: string, options: { withoutType?: boolean } = {}): string => {
  let key = collapseSpaces(name).toLocaleLowerCase('vi');
  for (const [oldStyle, newStyle] of TONE_PLACEMENT) key = key.split(oldStyle).join(newStyle);
  return options.withoutType ? key.replace(TYPE_PREFIX, '') : key;
};
