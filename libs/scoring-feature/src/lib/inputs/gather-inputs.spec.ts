import { loadAdminUnits } from '@cdt/admin-units';
import { applyDeltas, childrenOf, emptyReadModel, figuresOf, projectBatch, projectorStateOf, type InMemoryReadModel, type ProjectionEvent } from '@cdt/domain-kpi';
import { validateCriteriaSet, type CriteriaSet } from '@cdt/domain-scoring';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminUnitResolver } from '@cdt/projection-feature';
import { derivedEventId } from '../ledger/scoring-events';
import { InMemoryFigures } from './figures-source';
import { gatherInputs, inputsDigest } from './gather-inputs';
import { ScoringUnits } from './scoring-units';

const units = loadAdminUnits();
const resolve = adminUnitResolver(units);
const communes = units.children('82', '2026-10-01').slice(0, 2).map((c) => c.code);

const event = (eventId: string, type: string, data: Record<string, unknown>): ProjectionEvent => ({ eventId, type, data });

/** Two teams in two communes of 82: one with five members (two youth-union), one with three; visits on three days of two weeks. */
function model(): InMemoryReadModel {
  const events: ProjectionEvent[] = [];
  let n = 0;
  const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  for (const [index, communeCode] of communes.entries()) {
    const teamId = `t${index + 1}`;
    events.push(event(id(), 'TeamEstablished', { teamId, communeCode, village: 'Ấp 1', on: '2026-09-01' }));
    for (let m = 1; m <= (index === 0 ? 5 : 3); m++) events.push(event(id(), 'MemberJoined', { teamId, memberId: `${teamId}-m${m}`, role: m === 1 ? 'leader' : 'member', youthUnion: m <= 2, on: '2026-09-01' }));
  }
  const visit = (teamId: string, communeCode: string, day: string, household: string) =>
    event(id(), 'HouseholdVisitRecorded', { teamId, communeCode, village: 'Ấp 1', occurredAt: `${day}T09:00:00+07:00`, memberIds: [`${teamId}-m1`], householdRef: household, skills: ['public-services'] });
  events.push(visit('t1', communes[0], '2026-10-05', 'h1'), visit('t1', communes[0], '2026-10-06', 'h1'), visit('t1', communes[0], '2026-10-14', 'h2'), visit('t2', communes[1], '2026-11-02', 'h3'));
  const m = emptyReadModel();
  const result = projectBatch(projectorStateOf(m), events, { resolve, isApplied: () => false, contributionsOf: () => ({ counts: [], refs: [] }) });
  applyDeltas(m, result.deltas);
  return m;
}

const defaultSet = (): CriteriaSet => {
  const validation = validateCriteriaSet(JSON.parse(readFileSync(join(__dirname, '../../../../../docs/scoring/default-criteria.json'), 'utf8')));
  if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
  return validation.set;
};

describe('InMemoryFigures', () => {
  it('answers exactly what the reference model answers, unit by unit', async () => {
    const m = model();
    const source = new InMemoryFigures(m);
    for (const period of ['2026-Q4', '2026-10', '2026-W41', '2026-10-05', '2026']) {
      expect(await source.figures('current', 'team', ['t1', 't2', 'nobody'], period)).toEqual(figuresOf(m, 'current', 'team', ['t1', 't2', 'nobody'], period));
      expect(await source.figures('current', 'province', ['82'], period)).toEqual(figuresOf(m, 'current', 'province', ['82'], period));
      expect(await source.figures('current', 'nation', ['VN'], period)).toEqual(figuresOf(m, 'current', 'nation', ['VN'], period));
      expect(await source.children('current', 'province', '82', 'team', period)).toEqual(childrenOf(m, 'current', 'province', '82', 'team', period));
      expect(await source.children('current', 'province', '82', 'commune', period)).toEqual(childrenOf(m, 'current', 'province', '82', 'commune', period));
    }
  });
});

describe('gatherInputs', () => {
  it('lists the teams of the area with the figures the set reads, regularity counted over the weeks of the period', async () => {
    const inputs = await gatherInputs(new InMemoryFigures(model()), new ScoringUnits(units), { set: defaultSet(), area: { level: 'province', code: '82' }, period: '2026-Q4' });
    expect(inputs.map((i) => [i.unitCode, i.parentCode])).toEqual([
      ['t1', '82'],
      ['t2', '82'],
    ]);
    const [t1, t2] = inputs;
    expect(t1.figures).toMatchObject({ 'members-registered': 5, 'youth-union-members': 2, 'household-visits': 3, 'households-reached': 2, 'active-teams': 1, 'active-weeks': 2 });
    expect(t2.figures).toMatchObject({ 'members-registered': 3, 'household-visits': 1, 'active-weeks': 1 });
    expect(t1.targets).toEqual({});
  });

  it('digests inputs independently of their order, and changes with any figure', async () => {
    const inputs = await gatherInputs(new InMemoryFigures(model()), new ScoringUnits(units), { set: defaultSet(), area: { level: 'province', code: '82' }, period: '2026-Q4' });
    expect(inputsDigest([...inputs].reverse())).toBe(inputsDigest(inputs));
    const changed = inputs.map((i, index) => (index === 0 ? { ...i, figures: { ...i.figures, 'household-visits': 4 } } : i));
    expect(inputsDigest(changed)).not.toBe(inputsDigest(inputs));
  });

  it('refuses an area inside the ranking scope', async () => {
    const set = { ...defaultSet(), within: 'nation' as const };
    await expect(gatherInputs(new InMemoryFigures(model()), new ScoringUnits(units), { set, area: { level: 'province', code: '82' }, period: '2026-Q4' })).rejects.toThrow(/within the nation/);
  });
});

describe('derivedEventId', () => {
  it('is a stable uuid per name', () => {
    expect(derivedEventId('criteria', 'x', '1')).toBe(derivedEventId('criteria', 'x', '1'));
    expect(derivedEventId('criteria', 'x', '1')).not.toBe(derivedEventId('criteria', 'x', '2'));
    expect(derivedEventId('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
