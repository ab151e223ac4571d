import { parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import {
  INDICATORS,
  LEVEL_RANK,
  TEAM_KINDS_FROM_MONTHS,
  childrenOf,
  readModelOfRows,
  figuresOf,
  model2RowsOf,
  requirePeriodKind,
  villageKey,
  type Fact,
  type InMemoryReadModel,
  type Level,
  type Model2Records,
  type Model2Team,
  type StockFact,
  type UnitFigures,
  type View,
} from '@cdt/domain-kpi';
import type { mongo } from 'mongoose';
import { figuresUnderOfRows, planFiguresUnder, targetsIn, type FiguresUnder, type FiguresUnderQuery, type RowsForPeriods } from '../figures-under';
import { wideCellOf, type CellDoc, type FactDoc, type Model2Collections, type StockFactDoc } from './model2-documents';

/**
 * The queries of the MongoDB model-2 store: read the documents an answer needs, build model 2's rows for
 * the view and period kind (model2RowsOf, the domain's rule that the in-memory model uses too), and let model 1's `figuresOf` / `childrenOf` answer,
 * so the arithmetic stays in one place (as SqlKpiModel2Store does with its SQL rows).
 *
 * What is read: cells of the kind up to the period at the levels the answer uses, placed under the scope
 * (team × quarter and year: the month cells they are summed from);
 * live facts of the period (`children`: up to its end, since a child is listed by any earlier figure) and
 * stock facts up to its end, of the units in scope. As recorded, the scope is found by its own field
 * (team, commune, district, province), then widened to whole communes and teams (a village's or a
 * team's figures count all their facts, also those recorded under another province before the reform or
 * a move); in the current view it is the teams whose record is under the unit today.
 */

const COVERED = INDICATORS.flatMap((i) => (i.definition.kind === 'covered' ? [i.definition] : []));
const PLACEMENT_FIELD: Partial<Record<Level, 'village' | 'commune' | 'district' | 'province'>> = { village: 'village', commune: 'commune', district: 'district', province: 'province' };
/** The fact field that names a unit of this level as recorded (villages: their commune; filtered after). */
const FACT_FIELD: Record<Exclude<Level, 'nation'>, 'teamId' | 'communeCode' | 'districtCode' | 'provinceCode'> = {
  team: 'teamId',
  village: 'communeCode',
  commune: 'communeCode',
  district: 'districtCode',
  province: 'provinceCode',
};

interface Scope {
  level: Level;
  unitKeys: readonly string[];
}

export async function figuresFromDocuments(c: Model2Collections, view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
  const keys = [...unitKeys];
  const covered = COVERED.filter((d) => LEVEL_RANK[d.childLevel] <= LEVEL_RANK[level]);
  const levels = [...new Set<Level>([level, ...covered.map((d) => d.childLevel)])];
  const [model, targets] = await Promise.all([
    rowsAsModel1(c, view, period, levels, { level, unitKeys: keys }, 'period'),
    c.targets.find({ unitKey: { $in: keys }, period }).toArray(),
  ]);
  for (const t of targets) model.targets.set(`${t.unitKey}|${t.indicator}|${period}`, t.value);
  return figuresOf(model, view, level, keys, period);
}

export async function childrenFromDocuments(c: Model2Collections, view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
  const model = await rowsAsModel1(c, view, period, [childLevel], { level, unitKeys: [unitKey] }, 'up-to-period');
  return childrenOf(model, view, level, unitKey, childLevel, period);
}

/**
 * Per period asked, the rows `children` would read under the parent (facts of the period, stock facts and
 * cells up to it, at the asked level), summed by `figuresUnderOfRows` as the reference does. Exact and
 * simple, not fast: one read per period.
 */
export async function figuresUnderFromDocuments(c: Model2Collections, query: FiguresUnderQuery): Promise<FiguresUnder> {
  const plan = planFiguresUnder(query);
  const scope: Scope = { level: query.under.level, unitKeys: [query.under.unitKey] };
  const sources: RowsForPeriods[] = [];
  if (plan.indicators.length > 0) {
    for (const { kind, key } of plan.periods) {
      // A team × week (a fine cell) of an earlier week holding a stock row is placed by its latest fact,
      // which may be later than the stock: the teams' earlier facts are read too.
      const facts = query.level === 'team' && kind === 'week' ? 'up-to-period' : 'period';
      const model = await rowsAsModel1(c, query.view, key, [query.level], scope, facts);
      sources.push({ rows: model.counts.values(), periods: [key] });
    }
  }
  const targets = new Map<string, number>();
  if (plan.targetIndicators.length > 0) {
    const found = await c.targets.find({ period: { $in: plan.periods.map((period) => period.key) }, indicator: { $in: plan.targetIndicators } }).toArray();
    for (const t of found) targets.set(`${t.unitKey}|${t.indicator}|${t.period}`, t.value);
  }
  return figuresUnderOfRows(query, sources, targetsIn(targets));
}

/** Rows of one view and period kind up to `period`, at `levels`, of what lies in the scope, as a model-1 read model. */
async function rowsAsModel1(c: Model2Collections, view: View, period: string, levels: readonly Level[], scope: Scope, facts: 'period' | 'up-to-period'): Promise<InMemoryReadModel> {
  const kind = requirePeriodKind(period);
  const { first, last } = parsePeriod(period) as { first: string; last: string };
  const docs = await documentsOf(c, view, kind, period, levels, scope, { from: facts === 'period' ? first : undefined, to: last });
  return readModelOfRows(model2RowsOf(docs, view, kind, levels).filter((row) => row.periodKey <= period));
}

interface Days {
  /** First day of facts read (undefined: from the start). */
  from?: string;
  to: string;
}

async function documentsOf(c: Model2Collections, view: View, kind: PeriodKind, period: string, levels: readonly Level[], scope: Scope, days: Days): Promise<Model2Records> {
  const factDays: mongo.Filter<FactDoc> = { 'fact.day': days.from === undefined ? { $lte: days.to } : { $gte: days.from, $lte: days.to } };
  const stockDays: mongo.Filter<StockFactDoc> = { day: { $lte: days.to } };
  const source = await sourceFilters(c, view, scope, factDays, stockDays);
  const [factDocs, stockDocs] = await Promise.all([
    source.facts ? c.facts.find({ ...factDays, ...source.facts }).toArray() : [],
    source.stocks ? c.stockFacts.find({ ...stockDays, ...source.stocks }).toArray() : [],
  ]);
  const facts = factDocs
    .flatMap((doc) => (doc.fact ? [{ ...doc.fact, activityId: doc._id }] : []))
    .sort(byOrder)
    .map(({ order: _order, ...fact }): Fact => fact);
  const stocks = stockDocs.sort(byOrder).map(({ _id, order: _order, created: _created, ...stock }): StockFact => stock);
  // In the current view a team with no record sits where its cells are: those of the teams whose facts were read without a record.
  const unrecorded = view === 'current' && source.teams ? [...new Set(facts.map((f) => f.teamId))].filter((id) => !source.teams?.has(id)) : [];
  const cells = await cellsOf(c, view, kind, period, levels, scope, view === 'as-recorded' ? unitsOfFacts(facts) : undefined, unrecorded);
  const teamIds = new Set([...facts.map((f) => f.teamId), ...stocks.map((s) => s.teamId), ...cells.filter((cell) => cell.level === 'team').map((cell) => cell.unitKey)]);
  const teams = view === 'current' ? source.teams ?? (await teamsOf(c, [...teamIds])) : new Map<string, Model2Team>();
  return { cells: cells.map(wideCellOf), facts, stocks, teams };
}

/**
 * As recorded, the units the facts count under at each level: their cells are read even when placed
 * outside the scope, since a distinct figure takes its cell's placement (a team whose latest day in the
 * period was elsewhere is not under the scope, though some of its facts are).
 */
const unitsOfFacts = (facts: readonly Fact[]): Map<Level, Set<string>> => {
  const units = new Map<Level, Set<string>>((['team', 'commune', 'district', 'province'] as const).map((level) => [level, new Set<string>()]));
  for (const fact of facts) {
    units.get('team')?.add(fact.teamId);
    units.get('commune')?.add(fact.communeCode);
    if (fact.districtCode !== undefined) units.get('district')?.add(fact.districtCode);
    if (fact.provinceCode !== undefined) units.get('province')?.add(fact.provinceCode);
  }
  return units;
};

const byOrder = (a: { order: string }, b: { order: string }) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0);

/** Materialised cells of the kind up to the period at `levels`, placed under the scope (the current view's team cells are stored as recorded). */
async function cellsOf(
  c: Model2Collections,
  view: View,
  kind: PeriodKind,
  period: string,
  levels: readonly Level[],
  scope: Scope,
  ofFacts: Map<Level, Set<string>> | undefined,
  unrecordedTeams: readonly string[] = [],
): Promise<CellDoc[]> {
  const under = (level: Level): mongo.Filter<CellDoc> | undefined => {
    if (scope.level === 'nation') return {};
    if (level === scope.level) return { unitKey: { $in: [...scope.unitKeys] } };
    const field = PLACEMENT_FIELD[scope.level];
    return field && LEVEL_RANK[level] < LEVEL_RANK[scope.level] ? { [field]: { $in: [...scope.unitKeys] } } : undefined;
  };
  // Team × quarter and year are summed from month cells (model2RowsOf): every month of a team up to the
  // period's last month, for each team that has one placed under the scope (its latest month decides).
  const fromMonths = TEAM_KINDS_FROM_MONTHS.has(kind);
  const teamCells: mongo.Filter<CellDoc> = {
    view: 'as-recorded',
    level: 'team',
    ...(fromMonths ? { periodKind: 'month', periodKey: { $lte: (parsePeriod(period) as { last: string }).last.slice(0, 7) } } : { periodKind: kind, periodKey: { $lte: period } }),
  };
  const wanted = levels.flatMap((level): mongo.Filter<CellDoc>[] => {
    const filter = under(level);
    if (!filter) return [];
    // In the current view a team sits where its record is: its cells are found by team id (teamsUnder).
    if (view === 'current' && level === 'team') return [];
    const alsoOf = scope.level === 'nation' ? undefined : ofFacts?.get(level);
    return alsoOf && alsoOf.size > 0 ? [{ level, $or: [filter, { unitKey: { $in: [...alsoOf] } }] }] : [{ level, ...filter }];
  });
  const [teamWanted, otherWanted] = fromMonths ? [wanted.filter((w) => w.level === 'team'), wanted.filter((w) => w.level !== 'team')] : [[], wanted];
  const found = otherWanted.length > 0 ? await c.cells.find({ view, periodKind: kind, periodKey: { $lte: period }, $or: otherWanted }).toArray() : [];
  if (teamWanted.length > 0) {
    const placed = await c.cells.find({ ...teamCells, $or: teamWanted }, { projection: { unitKey: 1 } }).toArray();
    const teamIds = [...new Set(placed.map((cell) => cell.unitKey))];
    if (teamIds.length > 0) found.push(...(await c.cells.find({ ...teamCells, unitKey: { $in: teamIds } }).toArray()));
  }
  if (view === 'current' && levels.includes('team')) {
    const teamIds = scope.level === 'team' ? [...scope.unitKeys] : scope.level === 'nation' ? undefined : [...(await teamsUnder(c, scope)).keys(), ...unrecordedTeams];
    const ofTeams = teamIds === undefined ? {} : { unitKey: { $in: teamIds } };
    found.push(...(await c.cells.find({ ...teamCells, ...ofTeams }).toArray()));
  }
  return found;
}

interface SourceFilters {
  facts?: mongo.Filter<FactDoc>;
  stocks?: mongo.Filter<StockFactDoc>;
  /** The current view's team records, when the scope was found through them. */
  teams?: Map<string, Model2Team>;
}

/** Which facts and stock facts an answer under the scope needs (undefined: none). */
async function sourceFilters(c: Model2Collections, view: View, scope: Scope, factDays: mongo.Filter<FactDoc>, stockDays: mongo.Filter<StockFactDoc>): Promise<SourceFilters> {
  if (scope.level === 'nation') return { facts: {}, stocks: {}, ...(view === 'current' ? { teams: await teamsOf(c) } : {}) };
  const { communes, teams: recordedTeams } = await recordedUnder(c, scope, factDays, stockDays);
  if (view === 'current') {
    const teams = await teamsUnder(c, scope);
    // A team the model has no record of counts under its facts' own columns (distinctFigureRows, factPlace).
    const known = await teamsOf(c, [...recordedTeams]);
    const teamIds = [...new Set([...(scope.level === 'team' ? scope.unitKeys : teams.keys()), ...[...recordedTeams].filter((id) => !known.has(id))])];
    return { facts: { 'fact.teamId': { $in: teamIds } }, stocks: { teamId: { $in: teamIds } }, teams: new Map([...known, ...teams]) };
  }
  const wide = <F extends string>(commune: F, team: F) => ({ $or: [{ [commune]: { $in: [...communes] } }, { [team]: { $in: [...recordedTeams] } }] });
  return { facts: wide('fact.communeCode', 'fact.teamId'), stocks: wide('communeCode', 'teamId') };
}

/** The communes and teams of the facts and stock facts recorded under the scope (by the fields the facts carry). */
async function recordedUnder(c: Model2Collections, scope: Scope, factDays: mongo.Filter<FactDoc>, stockDays: mongo.Filter<StockFactDoc>): Promise<{ communes: Set<string>; teams: Set<string> }> {
  const communes = new Set<string>();
  const teams = new Set<string>();
  if (scope.level === 'nation') return { communes, teams };
  const keys = scope.level === 'village' ? [...new Set(scope.unitKeys.map((key) => key.slice(0, key.indexOf('/'))))] : [...scope.unitKeys];
  const field = FACT_FIELD[scope.level];
  const [facts, stocks] = await Promise.all([
    c.facts.find({ ...factDays, [`fact.${field}`]: { $in: keys } }, { projection: { 'fact.teamId': 1, 'fact.communeCode': 1 } }).toArray(),
    c.stockFacts.find({ ...stockDays, [field]: { $in: keys } }, { projection: { teamId: 1, communeCode: 1 } }).toArray(),
  ]);
  const note = (at: { communeCode: string; teamId: string }) => {
    communes.add(at.communeCode);
    teams.add(at.teamId);
  };
  for (const doc of facts) if (doc.fact) note(doc.fact);
  for (const doc of stocks) note(doc);
  return { communes, teams };
}

/** Team records (all, or those named), as written so far. */
async function teamsOf(c: Model2Collections, teamIds?: readonly string[]): Promise<Map<string, Model2Team>> {
  const docs = await c.teams.find(teamIds === undefined ? {} : { _id: { $in: [...teamIds] } }).toArray();
  return new Map(docs.map((doc) => [doc._id, doc.record]));
}

/** The teams whose record places them under the unit today (the current view). */
async function teamsUnder(c: Model2Collections, scope: Scope): Promise<Map<string, Model2Team>> {
  const keys = [...scope.unitKeys];
  switch (scope.level) {
    case 'team':
      return teamsOf(c, keys);
    case 'commune':
      return mapOf(await c.teams.find({ 'record.communeCode': { $in: keys } }).toArray());
    case 'province':
      return mapOf(await c.teams.find({ 'record.provinceCode': { $in: keys } }).toArray());
    case 'village': {
      const communes = [...new Set(keys.map((key) => key.slice(0, key.indexOf('/'))))];
      const wanted = new Set(keys);
      const docs = await c.teams.find({ 'record.communeCode': { $in: communes } }).toArray();
      return mapOf(docs.filter((doc) => wanted.has(villageKey(doc.record.communeCode, doc.record.village))));
    }
    case 'district':
      // The current view has no districts.
      return new Map();
    case 'nation':
      return teamsOf(c);
    default: {
      const _exhaustive: never = scope.level;
      return _exhaustive;
    }
  }
}

const mapOf = (docs: { _id: string; record: Model2Team }[]): Map<string, Model2Team> => new Map(docs.map((doc) => [doc._id, doc.record]));
