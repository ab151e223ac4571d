import { PERIOD_KINDS, periodKeys, type PeriodKeys, type PeriodKind } from '@cdt/domain-shared';
import { KEY_SEPARATOR as SEP } from '../deltas';
import type { Level, UnitAt, UnitChain, View } from '../units';
import type { CellKey, WideCellDelta } from './types';

/**
 * Which cells model 2 materialises (ADR 0010): team × week → year (stored once, under as-recorded) and
 * commune → nation × every period kind in both views. Team × day and village × any period are computed
 * from facts when asked.
 */
const COARSE: readonly PeriodKind[] = PERIOD_KINDS;
const TEAM: readonly PeriodKind[] = ['week', 'month', 'quarter', 'year'];
const NONE: readonly PeriodKind[] = [];

export const materialisedKinds = (view: View, level: Level): readonly PeriodKind[] => {
  if (level === 'village') return NONE;
  if (level === 'team') return view === 'as-recorded' ? TEAM : NONE;
  return COARSE;
};

export const cellKeyString = (key: CellKey): string =>
  key.view + SEP + key.level + SEP + key.unitKey + SEP + key.periodKind + SEP + key.periodKey;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type CellAcc = Mutable<Omit<WideCellDelta, 'values'>> & { values: Record<string, number> };

/** One materialised cell a chain reaches on a day, with the unit whose placement it takes. */
export interface Slot {
  readonly acc: CellAcc;
  readonly unit: UnitAt;
}

/**
 * A batch's wide-cell deltas, merged per cell. Each (chain, day) resolves to its slots once per batch;
 * every later event of that team and day adds to the same objects without building a key.
 */
export class CellBuffer {
  readonly list: CellAcc[] = [];
  private readonly cells = new Map<string, CellAcc>();
  private readonly slots = new Map<UnitChain, Map<string, readonly Slot[]>>();
  private readonly periods = new Map<string, PeriodKeys>();

  periodsOf(day: string): PeriodKeys {
    let periods = this.periods.get(day);
    if (!periods) this.periods.set(day, (periods = periodKeys(day)));
    return periods;
  }

  /**
   * The cell's accumulator. A new one is not placed yet (`placedOn` empty): only `add` places it, so
   * listing a chain's cells does not move a placement the way a write would.
   */
  cell(view: View, unit: UnitAt, periodKind: PeriodKind, periodKey: string): CellAcc {
    const id = view + SEP + unit.level + SEP + unit.key + SEP + periodKind + SEP + periodKey;
    let acc = this.cells.get(id);
    if (!acc) {
      acc = { view, level: unit.level, unitKey: unit.key, periodKind, periodKey, placement: {}, placedOn: '', values: {} };
      this.cells.set(id, acc);
      this.list.push(acc);
    }
    return acc;
  }

  /** Every materialised cell of a chain on a day (cached per batch). */
  slotsOf(view: View, chain: UnitChain, day: string): readonly Slot[] {
    let byDay = this.slots.get(chain);
    if (!byDay) this.slots.set(chain, (byDay = new Map()));
    let slots = byDay.get(day);
    if (!slots) {
      const periods = this.periodsOf(day);
      slots = chain.flatMap((unit) => materialisedKinds(view, unit.level).map((kind) => ({ acc: this.cell(view, unit, kind, periods[kind]), unit })));
      byDay.set(day, slots);
    }
    return slots;
  }

  /** Adds to a cell and lets the latest placement win (ties: the later write), as model 1 does per row. */
  static add(slot: Slot, indicator: string | undefined, delta: number): void {
    const { acc, unit } = slot;
    if (unit.placedOn >= acc.placedOn) [acc.placement, acc.placedOn] = [unit.placement, unit.placedOn];
    if (indicator !== undefined) acc.values[indicator] = (acc.values[indicator] ?? 0) + delta;
  }

  /** The cells the batch wrote to (a cell only listed, never added to, is left out). */
  deltas(): WideCellDelta[] {
    return this.list.filter((acc) => acc.placedOn !== '').map((acc) => ({ ...acc, values: withoutZeros(acc.values) }));
  }
}

const withoutZeros = (values: Record<string, number>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const code of Object.keys(values).sort()) if (values[code] !== 0) out[code] = values[code];
  return out;
};
