import fc from 'fast-check';
import { PERIOD_KINDS, periodKey, type PeriodKind } from '@cdt/domain-shared';
import { batchSizes, build, opWithDissolution, TEAMS } from '../kpi-log.fixtures';
import { resolve } from '../kpi.fixtures';
import { LEVELS, VIEWS, unitChain, type Level, type View } from '../units';
import { distinctFigureRows, type DistinctRow } from './distinct-rows';
import { project2 } from './model2.fixtures';
import type { Fact, Model2Team } from './types';

/**
 * distinctFigureRows against a plain recomputation: each fact's unit chain built by `unitChain` through
 * the resolver (as recorded on its day; in the current view from its team's record, or from itself on
 * its day when the team is unknown), one set of subjects per (level, unit, period, indicator).
 */
const oracle = (facts: readonly Fact[], teamOf: (teamId: string) => Model2Team | undefined, view: View, kind: PeriodKind, levels: readonly Level[], only?: string): string[] => {
  const sets = new Map<string, Set<string>>();
  for (const fact of facts) {
    const period = periodKey(kind, fact.day);
    if (only !== undefined && period !== only) continue;
    const team = view === 'current' ? teamOf(fact.teamId) : undefined;
    const chain = team ? unitChain('current', team, team.since, resolve) : unitChain(view, fact, fact.day, resolve);
    for (const unit of chain) {
      if (!levels.includes(unit.level)) continue;
      for (const [indicator, subjects] of Object.entries(fact.subjects)) {
        const id = `${unit.level}|${unit.key}|${period}|${indicator}`;
        const set = sets.get(id) ?? new Set<string>();
        for (const subject of subjects) set.add(subject);
        sets.set(id, set);
      }
    }
  }
  return [...sets].filter(([, set]) => set.size > 0).map(([id, set]) => `${id}=${set.size}`).sort();
};

const lines = (rows: readonly DistinctRow[]): string[] => rows.map((r) => `${r.level}|${r.unitKey}|${r.periodKey}|${r.indicator}=${r.value}`).sort();

describe('distinctFigureRows', () => {
  it('counts the distinct subjects of the facts under each unit and period, as unit chains place them, known teams or not', () => {
    fc.assert(
      fc.property(
        fc.array(opWithDissolution, { maxLength: 60 }),
        batchSizes,
        fc.subarray(TEAMS),
        fc.constantFrom(...VIEWS),
        fc.constantFrom(...PERIOD_KINDS),
        fc.subarray([...LEVELS], { minLength: 1 }),
        fc.nat(),
        (ops, sizes, unknown, view, kind, levels, pick) => {
          const model = project2(build(ops).events, sizes);
          const facts = [...model.facts.values()];
          // Teams the caller does not know fall back to the fact's own place in the current view.
          const teamOf = (teamId: string) => (unknown.includes(teamId) ? undefined : model.teams.get(teamId));
          expect(lines(distinctFigureRows(facts, teamOf, view, kind, levels))).toEqual(oracle(facts, teamOf, view, kind, levels));
          // One period asked: the same rows as the oracle's for that period.
          if (facts.length === 0) return;
          const period = periodKey(kind, facts[pick % facts.length].day);
          expect(lines(distinctFigureRows(facts, teamOf, view, kind, levels, period))).toEqual(oracle(facts, teamOf, view, kind, levels, period));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('places a fact of an unknown team under its own commune and province in the current view, never a district', () => {
    const fact = (activityId: string, teamId: string, householdRef: string): Fact => ({
      activityId,
      teamId,
      communeCode: '10001',
      village: 'Thôn 1',
      districtCode: '101',
      provinceCode: '10',
      day: '2024-03-02',
      counts: ['household-visits'],
      subjects: { 'households-reached': [householdRef] },
    });
    const moved: Model2Team = { teamId: 't1', communeCode: '30001', village: 'Thôn 9', status: 'active', since: '2025-07-01', members: {}, provinceCode: '30' };
    const facts = [fact('a1', 't1', 'h1'), fact('a2', 'tX', 'h1'), fact('a3', 'tX', 'h2'), fact('a4', 'tX', 'h2')];
    const rows = distinctFigureRows(facts, (teamId) => (teamId === 't1' ? moved : undefined), 'current', 'month', LEVELS);
    expect(lines(rows)).toEqual(
      [
        'team|t1|2024-03|households-reached=1',
        'village|30001/Thôn 9|2024-03|households-reached=1',
        'commune|30001|2024-03|households-reached=1',
        'province|30|2024-03|households-reached=1',
        'team|tX|2024-03|households-reached=2',
        'village|10001/Thôn 1|2024-03|households-reached=2',
        'commune|10001|2024-03|households-reached=2',
        'province|10|2024-03|households-reached=2',
        'nation|VN|2024-03|households-reached=2',
      ].sort(),
    );
    // As recorded both teams' facts stay in commune 10001, district 101.
    expect(lines(distinctFigureRows(facts, () => moved, 'as-recorded', 'year', ['district', 'commune']))).toEqual(['commune|10001|2024|households-reached=2', 'district|101|2024|households-reached=2']);
    expect(distinctFigureRows(facts, () => undefined, 'as-recorded', 'year', LEVELS, '2023')).toEqual([]);
  });
});
