import { periodKey as periodKeyOf, type PeriodKind } from '@cdt/domain-shared';
import {
  NATION_KEY,
  STORED_INDICATOR_CODES,
  distinctFigureRows,
  laterPlaced,
  villageKey,
  type Fact,
  type FigureRow,
  type Level,
  type Model2Team,
  type Placed,
  type Placement,
  type StockFact,
  type View,
} from '@cdt/domain-kpi';
import type { CellDoc } from './model2-documents';

/**
 * Model 2's figure rows of one view and period kind, as model 1 would hold them, from documents read out
 * of the MongoDB store: the in-memory `model2Rows` (libs/domain/kpi, in-memory-model2.ts) over what one
 * query read. Materialised cells expanded per indicator; the current view's team cells placed where the
 * team is today; fine cells (team × day, village × any period) summed from facts and stock facts, each
 * placed as its latest-day contributor (ties: the last written); distinct counts by `distinctFigureRows`,
 * placed as the cell of the same unit and period. The domain should own this (one code path for the
 * in-memory model and the stores): it is here only because the pieces are not exported.
 */

export interface Model2Documents {
  readonly cells: readonly CellDoc[];
  /** Live facts in write order. */
  readonly facts: readonly Fact[];
  /** Stock facts in write order. */
  readonly stocks: readonly StockFact[];
  readonly teams: ReadonlyMap<string, Model2Team>;
}

const PLACEMENT_FIELDS = ['village', 'commune', 'district', 'province'] as const;

const withoutUndefined = (placement: Placement): Placement =>
  Object.fromEntries(Object.entries(placement).filter(([, value]) => value !== undefined)) as Placement;

const placementOfCell = (cell: CellDoc): Placement => withoutUndefined(Object.fromEntries(PLACEMENT_FIELDS.map((field) => [field, cell[field]])) as Placement);

/** The team's placement today: its commune, village and current province (no district). */
const currentTeamPlacement = (team: Model2Team): Placement =>
  withoutUndefined({ village: villageKey(team.communeCode, team.village), commune: team.communeCode, province: team.provinceCode });

type Located = Pick<Fact, 'teamId' | 'communeCode' | 'village' | 'districtCode' | 'provinceCode' | 'day'>;

/** Where a fact or stock fact counts at every level in the view, each unit with its placement. */
const chainOf = (teams: ReadonlyMap<string, Model2Team>, view: View, at: Located): { level: Level; unitKey: string | undefined; placement: Placement; placedOn: string }[] => {
  const team = view === 'current' ? teams.get(at.teamId) : undefined;
  const commune = team ? team.communeCode : at.communeCode;
  const village = villageKey(commune, team ? team.village : at.village);
  const district = view === 'as-recorded' ? at.districtCode : undefined;
  const province = team ? team.provinceCode : at.provinceCode;
  const placedOn = team ? team.since : at.day;
  return [
    { level: 'team', unitKey: at.teamId, placement: withoutUndefined({ village, commune, district, province }), placedOn },
    { level: 'village', unitKey: village, placement: withoutUndefined({ commune, district, province }), placedOn },
    { level: 'commune', unitKey: commune, placement: withoutUndefined({ district, province }), placedOn },
    { level: 'district', unitKey: district, placement: withoutUndefined({ province }), placedOn },
    { level: 'province', unitKey: province, placement: {}, placedOn },
    { level: 'nation', unitKey: NATION_KEY, placement: {}, placedOn },
  ];
};

/** Every figure row of one view and period kind at `levels` that the documents hold (zero values left out). */
export const model2RowsOfDocuments = (docs: Model2Documents, view: View, periodKind: PeriodKind, levels: readonly Level[]): FigureRow[] => {
  const wanted = new Set(levels);
  const rows: FigureRow[] = [];
  /** (level, unit, period) → the placement its rows take (cells first, then facts by latest day). */
  const placed = new Map<string, Placed>();
  const id = (level: Level, unitKey: string, periodKey: string) => `${level}|${unitKey}|${periodKey}`;
  const emit = (level: Level, unitKey: string, periodKey: string, at: Placed, values: Iterable<[string, number]>) => {
    for (const [indicator, value] of values) {
      if (value !== 0) rows.push({ view, level, unitKey, periodKind, periodKey, indicator, value, placement: at.placement, placedOn: at.placedOn });
    }
  };

  for (const cell of docs.cells) {
    if (cell.periodKind !== periodKind || !wanted.has(cell.level)) continue;
    let at: Placed | undefined;
    if (cell.view === view) at = { placement: placementOfCell(cell), placedOn: cell.placedOn };
    else if (view === 'current' && cell.view === 'as-recorded' && cell.level === 'team') {
      const team = docs.teams.get(cell.unitKey);
      const { district: _district, ...placement } = placementOfCell(cell);
      at = team ? { placement: currentTeamPlacement(team), placedOn: team.since } : { placement, placedOn: cell.placedOn };
    }
    if (!at) continue;
    placed.set(id(cell.level, cell.unitKey, cell.periodKey), at);
    emit(cell.level, cell.unitKey, cell.periodKey, at, cell.v.map((value, i): [string, number] => [STORED_INDICATOR_CODES[i], value ?? 0]));
  }

  // Fine cells: team × day and village × any period, from facts (counts) and stock facts.
  const fine = new Map<string, { level: Level; unitKey: string; periodKey: string; at: Placed; values: Map<string, number> }>();
  /** Placement from facts for distinct rows of units no cell holds. */
  const byFacts = new Map<string, Placed>();
  const add = (at: Located, indicators: Iterable<[string, number]>, withTeam: boolean, isFact: boolean) => {
    const periodKey = periodKeyOf(periodKind, at.day);
    for (const unit of chainOf(docs.teams, view, at)) {
      if (unit.unitKey === undefined || !wanted.has(unit.level)) continue;
      const key = id(unit.level, unit.unitKey, periodKey);
      const isFine = unit.level === 'village' || (unit.level === 'team' && periodKind === 'day' && withTeam);
      if (isFact && !isFine) byFacts.set(key, laterPlaced(byFacts.get(key), unit));
      if (!isFine) continue;
      let cell = fine.get(key);
      if (!cell) fine.set(key, (cell = { level: unit.level, unitKey: unit.unitKey, periodKey, at: unit, values: new Map() }));
      cell.at = laterPlaced(cell.at, unit);
      for (const [code, delta] of indicators) cell.values.set(code, (cell.values.get(code) ?? 0) + delta);
    }
  };
  for (const fact of docs.facts) add(fact, fact.counts.map((code): [string, number] => [code, 1]), true, true);
  for (const stock of docs.stocks) {
    if (view === 'current' && stock.scope !== 'both') continue;
    add(stock, [[stock.indicator, stock.delta]], stock.scope === 'both', false);
  }
  for (const [key, cell] of fine) {
    placed.set(key, cell.at);
    emit(cell.level, cell.unitKey, cell.periodKey, cell.at, cell.values);
  }

  for (const row of distinctFigureRows(docs.facts, (teamId) => docs.teams.get(teamId), view, periodKind, levels)) {
    const key = id(row.level, row.unitKey, row.periodKey);
    const at = placed.get(key) ?? byFacts.get(key) ?? { placement: {}, placedOn: '' };
    emit(row.level, row.unitKey, row.periodKey, at, [[row.indicator, row.value]]);
  }
  return rows;
};
