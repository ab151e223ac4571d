import { PERIOD_KINDS, periodKey, periodKeys, type PeriodKeys, type PeriodKind } from '@cdt/domain-shared';
import { KEY_SEPARATOR as SEP, laterPlaced } from '../deltas';
import { STORED_INDICATOR_CODES } from '../figures';
import type { Level, UnitAt, UnitChain, View } from '../units';
import type { CellKey, WideCell, WideCellDelta } from './types';

/**
 * Which cells model 2 materialises (ADR 0010): team × month (stored once, under as-recorded) and commune →
 * nation × every period kind in both views. Team × quarter and year are summed from the team's month
 * cells when asked (teamCellsFromMonths); team × day and week (TEAM_FINE_KINDS) and village × any period
 * are computed from facts.
 */
const COARSE: readonly PeriodKind[] = PERIOD_KINDS;
const TEAM: readonly PeriodKind[] = ['month'];
const NONE: readonly PeriodKind[] = [];

/** Team cell kinds computed from the team's facts and stock facts, as fine cells (model2-rows.ts). */
export const TEAM_FINE_KINDS: ReadonlySet<PeriodKind> = new Set<PeriodKind>(['day', 'week']);

/** Team cell kinds that are sums of the team's month cells, not stored (ADR 0010, "As built: fewer rows and indexes per event"). */
export const TEAM_KINDS_FROM_MONTHS: ReadonlySet<PeriodKind> = new Set<PeriodKind>(['quarter', 'year']);

/**
 * The team × `kind` cells (quarter or year) of the team month cells among `cells`: values summed, placed as
 * the latest month (placedOn is the latest day of a cell's writes, so this is where a stored quarter or
 * year cell would have been placed: its writes are its months' writes). Any other cell is ignored.
 */
export const teamCellsFromMonths = (cells: Iterable<WideCell>, kind: PeriodKind): WideCell[] => {
  const sums = new Map<string, { cell: WideCell; values: Record<string, number> }>();
  for (const month of cells) {
    if (month.level !== 'team' || month.view !== 'as-recorded' || month.periodKind !== 'month') continue;
    const key = periodKey(kind, `${month.periodKey}-01`);
    const id = month.unitKey + SEP + key;
    let sum = sums.get(id);
    if (!sum) sums.set(id, (sum = { cell: { ...month, periodKind: kind, periodKey: key, values: {} }, values: {} }));
    for (const code in month.values) sum.values[code] = (sum.values[code] ?? 0) + month.values[code];
    const { placement, placedOn } = laterPlaced(sum.cell, month);
    sum.cell = { ...sum.cell, placement, placedOn };
  }
  return [...sums.values()].map(({ cell, values }) => ({ ...cell, values }));
};

export const materialisedKinds = (view: View, level: Level): readonly PeriodKind[] => {
  if (level === 'village') return NONE;
  if (level === 'team') return view === 'as-recorded' ? TEAM : NONE;
  return COARSE;
};

export const cellKeyString = (key: CellKey): string =>
  key.view + SEP + key.level + SEP + key.unitKey + SEP + key.periodKind + SEP + key.periodKey;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** Every stored indicator has a slot in a cell's vector; the deltas name them by code. */
const CODES: readonly string[] = STORED_INDICATOR_CODES;
const INDEX: ReadonlyMap<string, number> = new Map(CODES.map((code, i) => [code, i]));
export const indicatorIndex = (code: string): number => {
  const index = INDEX.get(code);
  if (index === undefined) throw new Error(`${code} is not a stored indicator`);
  return index;
};

export type CellAcc = Mutable<Omit<WideCellDelta, 'values'>> & {
  /** Values by indicatorIndex (distinct indicators' slots stay 0: they are counted from facts when asked). */
  readonly vec: number[];
};

const byLevel = (): Record<Level, Map<string, Record<PeriodKind, Map<string, CellAcc>>>> => ({ team: new Map(), village: new Map(), commune: new Map(), district: new Map(), province: new Map(), nation: new Map() });

/** One materialised cell a chain reaches on a day, with the unit whose placement it takes. */
export interface Slot {
  readonly acc: CellAcc;
  readonly unit: UnitAt;
}

/** The slots of a chain or unit on the first day asked, and on the others if any. */
interface DaySlots {
  readonly day: string;
  readonly slots: readonly Slot[];
  others?: Map<string, readonly Slot[]>;
}

/**
 * A batch's wide-cell deltas, merged per cell. Each (chain, day) resolves to its slots once per batch;
 * every later event of that team and day adds to the same objects without building a key.
 */
export class CellBuffer {
  readonly list: CellAcc[] = [];
  private readonly cells: Record<View, Record<Level, Map<string, Record<PeriodKind, Map<string, CellAcc>>>>> = { 'as-recorded': byLevel(), current: byLevel() };
  private readonly slots = new Map<UnitChain, DaySlots>();
  private readonly unitSlots = new Map<UnitAt, DaySlots>();
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
    // Nested look-ups by strings whose hashes are cached: no key is built per call.
    const byUnit = this.cells[view][unit.level];
    let byKind = byUnit.get(unit.key);
    if (!byKind) byUnit.set(unit.key, (byKind = { day: new Map(), week: new Map(), month: new Map(), quarter: new Map(), year: new Map() }));
    const byKey = byKind[periodKind];
    let acc = byKey.get(periodKey);
    if (!acc) {
      acc = { view, level: unit.level, unitKey: unit.key, periodKind, periodKey, placement: {}, placedOn: '', vec: CODES.map(() => 0) };
      byKey.set(periodKey, acc);
      this.list.push(acc);
    }
    return acc;
  }

  /** Every materialised cell of a chain on a day (cached per batch). */
  slotsOf(view: View, chain: UnitChain, day: string): readonly Slot[] {
    // As recorded a chain is built for one day, so most chains hold one list; a current chain, one per day.
    const first = this.slots.get(chain);
    if (first?.day === day) return first.slots;
    let slots = first?.others?.get(day);
    if (slots) return slots;
    let size = 0;
    for (const unit of chain) size += materialisedKinds(view, unit.level).length;
    const built: Slot[] = new Array<Slot>(size);
    let at = 0;
    for (const unit of chain) for (const slot of this.slotsOfUnit(view, unit, day)) built[at++] = slot;
    slots = built;
    if (!first) this.slots.set(chain, { day, slots });
    else (first.others ??= new Map()).set(day, slots);
    return slots;
  }

  /** One unit's materialised cells on a day (cached per unit object: chains share their units from the commune up). */
  private slotsOfUnit(view: View, unit: UnitAt, day: string): readonly Slot[] {
    // A unit is built for one day (as recorded) or one team record (current): most hold one list.
    const first = this.unitSlots.get(unit);
    if (first?.day === day) return first.slots;
    let slots = first?.others?.get(day);
    if (slots) return slots;
    const periods = this.periodsOf(day);
    const kinds = materialisedKinds(view, unit.level);
    const built: Slot[] = new Array<Slot>(kinds.length);
    for (let i = 0; i < kinds.length; i++) built[i] = { acc: this.cell(view, unit, kinds[i], periods[kinds[i]]), unit };
    slots = built;
    if (!first) this.unitSlots.set(unit, { day, slots });
    else (first.others ??= new Map()).set(day, slots);
    return slots;
  }

  /** Marks a write to the cell: the latest placement wins (ties: the later write), as model 1 does per row. */
  static place(slot: Slot): void {
    const { acc, unit } = slot;
    if (unit.placedOn >= acc.placedOn) {
      acc.placement = unit.placement;
      acc.placedOn = unit.placedOn;
    }
  }

  static add(slot: Slot, index: number, delta: number): void {
    CellBuffer.place(slot);
    slot.acc.vec[index] += delta;
  }

  /** The cells the batch wrote to (a cell only listed, never added to, is left out). */
  deltas(): WideCellDelta[] {
    const out: WideCellDelta[] = [];
    for (const acc of this.list) {
      if (acc.placedOn === '') continue;
      const { view, level, unitKey, periodKind, periodKey, placement, placedOn, vec } = acc;
      // `values` by code only when read (the in-memory and MongoDB stores do; the SQL store takes the vector).
      let values: Record<string, number> | undefined;
      const delta: WideCellDelta = {
        view, level, unitKey, periodKind, periodKey, placement, placedOn,
        get values() {
          return (values ??= valuesOf(vec));
        },
      };
      VECTORS.set(delta, vec);
      out.push(delta);
    }
    return out;
  }
}

const VECTORS = new WeakMap<WideCellDelta, readonly number[]>();

const valuesOf = (vec: readonly number[]): Record<string, number> => {
  const values: Record<string, number> = {};
  for (let i = 0; i < vec.length; i++) if (vec[i] !== 0) values[CODES[i]] = vec[i];
  return values;
};

/**
 * A cell delta's values as a vector by STORED_INDICATOR_CODES position (a store keeps them so): the
 * projector's own vector for the deltas it made, built from `values` for any other.
 */
export const cellVector = (delta: WideCellDelta): readonly number[] => {
  const vec = VECTORS.get(delta);
  if (vec) return vec;
  const built = CODES.map(() => 0);
  for (const code in delta.values) built[indicatorIndex(code)] += delta.values[code];
  return built;
};
