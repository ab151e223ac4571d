import { INDICATORS, indicatorByCode, type Indicator } from './catalog';

/**
 * What a store returns for one unit and period (the figures it keeps), and how the catalog turns them
 * into the indicators a province reads: ratios divided here, attainment against the unit's target.
 * Every read store answers with `UnitFigures`; this file is the one place the arithmetic lives.
 */
export interface UnitFigures {
  readonly unitKey: string;
  /** Stored values by indicator code: counts and distinct counts of the period, stocks at its end,
   * covered children; an indicator missing here is 0. */
  readonly values: Readonly<Record<string, number>>;
  /** Targets of the unit for exactly this period, by indicator code. */
  readonly targets: Readonly<Record<string, number>>;
}

export interface FigureOptions {
  /** How many communes the unit has (from the official unit lists): the denominator of commune coverage. */
  readonly communesInUnit?: number;
}

export interface IndicatorValue {
  readonly code: string;
  readonly nameVi: string;
  readonly nameEn: string;
  readonly unit: Indicator['unit'];
  /** null for a ratio whose denominator is 0 or unknown. */
  readonly value: number | null;
  readonly numerator?: number;
  readonly denominator?: number;
  readonly target?: number;
  /** value / target in percent, one decimal (6,800 of 4,800 → 141.7); absent without a target. */
  readonly attainmentPct?: number;
}

const roundPct = (fraction: number): number => Math.round(fraction * 1000) / 10;

export const attainmentPct = (value: number, target: number): number | undefined =>
  target > 0 ? roundPct(value / target) : undefined;

const valueOf = (figures: UnitFigures, code: string, options: FigureOptions): number | undefined => {
  if (code === 'communes-in-unit') return options.communesInUnit;
  return figures.values[code] ?? 0;
};

export const indicatorValue = (indicator: Indicator, figures: UnitFigures, options: FigureOptions = {}): IndicatorValue => {
  const { code, nameVi, nameEn, unit, definition } = indicator;
  const base = { code, nameVi, nameEn, unit };
  let value: number | null;
  let ratio: { numerator: number; denominator?: number } | undefined;
  if (definition.kind === 'ratio') {
    const numerator = valueOf(figures, definition.numerator, options) ?? 0;
    const denominator = valueOf(figures, definition.denominator, options);
    value = denominator ? numerator / denominator : null;
    ratio = denominator === undefined ? { numerator } : { numerator, denominator };
  } else {
    value = figures.values[code] ?? 0;
  }
  const target = figures.targets[code];
  const attained = target !== undefined && value !== null ? attainmentPct(value, target) : undefined;
  return {
    ...base,
    value,
    ...ratio,
    ...(target === undefined ? {} : { target }),
    ...(attained === undefined ? {} : { attainmentPct: attained }),
  };
};

/** Every catalog indicator of one unit for one period. */
export const indicatorValues = (figures: UnitFigures, options: FigureOptions = {}): IndicatorValue[] =>
  INDICATORS.map((indicator) => indicatorValue(indicator, figures, options));

export interface RankedUnit {
  readonly rank: number;
  readonly unitKey: string;
  readonly value: number | null;
  readonly attainmentPct?: number;
}

/**
 * Children ranked by one indicator, highest first; equal values share a rank (1, 2, 2, 4) and are
 * listed by unit key so the order is reproducible. Units without a value (ratio over 0) come last.
 */
export const rankUnits = (
  indicatorCode: string,
  units: readonly UnitFigures[],
  optionsOf: (unitKey: string) => FigureOptions = () => ({}),
): RankedUnit[] => {
  const indicator = indicatorByCode(indicatorCode);
  if (!indicator) throw new Error(`unknown indicator ${indicatorCode}`);
  const scored = units
    .map((figures) => {
      const { value, attainmentPct: pct } = indicatorValue(indicator, figures, optionsOf(figures.unitKey));
      return { unitKey: figures.unitKey, value, ...(pct === undefined ? {} : { attainmentPct: pct }) };
    })
    .sort((a, b) => {
      const byValue = (b.value ?? -Infinity) - (a.value ?? -Infinity);
      if (byValue !== 0 && !Number.isNaN(byValue)) return byValue;
      return a.unitKey < b.unitKey ? -1 : a.unitKey > b.unitKey ? 1 : 0;
    });
  return scored.map((unit, index) => {
    const first = scored.findIndex((other) => other.value === unit.value);
    return { rank: (first === -1 ? index : first) + 1, ...unit };
  });
};

export const STORED_INDICATOR_CODES: readonly string[] = INDICATORS.filter((i) => i.definition.kind !== 'ratio').map((i) => i.code);
