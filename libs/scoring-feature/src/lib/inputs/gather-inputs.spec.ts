import { loadAdminUnits } from '@cdt/admin-units';
import { applyDeltas, childrenOf, emptyReadModel, figuresOf, projectBatch, projectorStateOf, type InMemoryReadModel, type ProjectionEvent } from '@cdt/domain-kpi';
import { figuresUnderOf, periodsBetween, sortedFiguresUnder } from '@cdt/read-store';
import canonicalize from 'canonicalize';
import { evaluate, evaluationDigests, evaluationDigestsV2, evaluationInputsDigestV2, requiredIndicators, validateCriteriaSet, type CriteriaSet, type EvaluationInput } from '@cdt/domain-scoring';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminUnitResolver } from '@cdt/projection-feature';
import { derivedEventId } from '../ledger/scoring-events';
import { InMemoryFigures } from './figures-source';
import { gatherInputs, inputsDigest, recordedDigestVersion, runDigests, sha256 } from './gather-inputs';
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
  // t3 worked in the quarter and was dissolved in it; t4 moved from commune 1 to commune 2 mid-quarter; t5 never worked.
  events.push(event(id(), 'TeamEstablished', { teamId: 't3', communeCode: communes[1], village: 'Ấp 2', on: '2026-09-01' }), visit('t3', communes[1], '2026-10-07', 'h4'));
  events.push(event(id(), 'TeamDissolved', { teamId: 't3', reason: 'merged', on: '2026-11-01' }));
  events.push(event(id(), 'TeamEstablished', { teamId: 't4', communeCode: communes[0], village: 'Ấp 3', on: '2026-09-01' }), visit('t4', communes[0], '2026-10-08', 'h5'));
  events.push(event(id(), 'TeamRelocated', { teamId: 't4', fromCommuneCode: communes[0], fromVillage: 'Ấp 3', communeCode: communes[1], village: 'Ấp 3', reason: 'merge', on: '2026-11-10' }), visit('t4', communes[1], '2026-11-20', 'h6'));
  events.push(event(id(), 'TeamEstablished', { teamId: 't5', communeCode: communes[1], village: 'Ấp 4', on: '2026-09-01' }));
  events.push(event(id(), 'TargetAssigned', { unitCode: communes[0], indicatorCode: 'household-visits', period: '2026-Q4', value: 4 }));
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

/**
 * The gathering as it was before the bulk query, unit by unit over the reference model's own queries
 * (children per parent, figures per unit and per week): the bulk gathering must list the same teams
 * with the same figures, or recorded runs would stop verifying.
 */
function unitByUnit(m: InMemoryReadModel, set: CriteriaSet, parent: string, period: string): EvaluationInput[] {
  const teams = childrenOf(m, 'current', set.within, parent, 'team', period);
  const figures = figuresOf(m, 'current', 'team', teams, period);
  const weeks = periodsBetween('week', '2026-10-01', '2026-12-31');
  return figures
    .filter((unit) => Object.keys(unit.values).length > 0)
    .map((unit) => {
      const values: Record<string, number> = {};
      for (const code of requiredIndicators(set)) {
        values[code] = code === 'active-weeks' ? weeks.filter((week) => (figuresOf(m, 'current', 'team', [unit.unitKey], week)[0].values['active-teams'] ?? 0) > 0).length : (unit.values[code] ?? 0);
      }
      return { unitCode: unit.unitKey, parentCode: parent, figures: values, targets: {} };
    });
}

describe('gatherInputs', () => {
  it('lists the same teams with the same figures as the unit-by-unit reading (a dissolved team that worked, a moved team, one that never worked)', async () => {
    const m = model();
    const set = defaultSet();
    const bulk = await gatherInputs(new InMemoryFigures(m), new ScoringUnits(units), { set, area: { level: 'province', code: '82' }, period: '2026-Q4' });
    expect(bulk).toEqual(unitByUnit(m, set, '82', '2026-Q4'));
    expect(bulk.map((i) => i.unitCode)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(bulk.find((i) => i.unitCode === 't4')?.figures).toMatchObject({ 'household-visits': 2, 'active-weeks': 2 });
  });

  it('reads figuresUnder from its buckets exactly as the reference does from the whole model', async () => {
    const m = model();
    const source = new InMemoryFigures(m);
    const indicators = ['household-visits', 'households-reached', 'active-teams', 'members-registered', 'teams-registered'];
    for (const [level, unitKey] of [['province', '82'], ['commune', communes[1]], ['nation', 'VN']] as const) {
      for (const child of ['team', 'commune', 'province'] as const) {
        const query = { view: 'current' as const, under: { level, unitKey }, level: child, periods: ['2026-Q4', '2026-W41', '2026-11', '2026'], indicators, targets: ['household-visits'] };
        expect(sortedFiguresUnder(await source.figuresUnder(query))).toEqual(figuresUnderOf(m, query));
      }
    }
  });

  it('hashes inputs to the same digest as RFC 8785 canonicalize, line by line in unit-code order', async () => {
    const inputs = await gatherInputs(new InMemoryFigures(model()), new ScoringUnits(units), { set: defaultSet(), area: { level: 'province', code: '82' }, period: '2026-Q4' });
    const named = [...inputs.reverse(), { unitCode: '82001', unitName: 'Xã \u0001 "Ấp" \\ 1', parentCode: '82', figures: { 'household-visits': 1.5e-7, 'active-weeks': 1e21, zero: -0 }, targets: { 'household-visits': 4 } }];
    const reference = createHash('sha256');
    for (const input of [...named].sort((a, b) => (a.unitCode < b.unitCode ? -1 : 1))) reference.update(`${canonicalize(input)}\n`);
    expect(inputsDigest(named, 1)).toBe(reference.digest('hex'));
  });

  it('hashes version 2 as sha-256 of the bytes the domain writes, across its 64 KiB buffers', () => {
    const long = 'Ấp '.repeat(40_000);
    const inputs = Array.from({ length: 3_000 }, (_, i): EvaluationInput => ({ unitCode: `t${i}`, parentCode: String(i % 7), figures: { 'household-visits': i / 3, [`k${i % 50}`]: i }, targets: { 'household-visits': 10 } }));
    for (const given of [inputs, [...inputs, { unitCode: 'long', unitName: long, parentCode: long, figures: {}, targets: {} }]]) {
      let bytes = '';
      evaluationInputsDigestV2(given, () => ({ update: (data) => (bytes += Buffer.from(data as Uint8Array).toString('hex')), digest: () => '' }));
      expect(bytes.length).toBeGreaterThan(2 * 128 * 1024);
      expect(inputsDigest(given, 2)).toBe(createHash('sha256').update(Buffer.from(bytes, 'hex')).digest('hex'));
    }
  });

  it('records digest version 2 for new runs, reads a run without one as version 1, and knows no version 3', async () => {
    const set = defaultSet();
    const inputs = await gatherInputs(new InMemoryFigures(model()), new ScoringUnits(units), { set, area: { level: 'province', code: '82' }, period: '2026-Q4' });
    const evaluation = evaluate(set, inputs);
    expect(runDigests(inputs, evaluation)).toEqual({ digestVersion: 2, ...evaluationDigestsV2(inputs, evaluation, sha256) });
    expect(runDigests(inputs, evaluation, 1)).toEqual({ digestVersion: 1, ...evaluationDigests(inputs, evaluation, sha256) });
    expect([recordedDigestVersion({}), recordedDigestVersion({ digestVersion: 1 }), recordedDigestVersion({ digestVersion: 2 }), recordedDigestVersion({ digestVersion: 3 })]).toEqual([1, 1, 2, undefined]);
  });


  it('lists the teams of the area with the figures the set reads, regularity counted over the weeks of the period', async () => {
    const inputs = await gatherInputs(new InMemoryFigures(model()), new ScoringUnits(units), { set: defaultSet(), area: { level: 'province', code: '82' }, period: '2026-Q4' });
    expect(inputs.map((i) => [i.unitCode, i.parentCode])).toEqual([
      ['t1', '82'],
      ['t2', '82'],
      ['t3', '82'],
      ['t4', '82'],
      ['t5', '82'],
    ]);
    const [t1, t2] = inputs;
    expect(t1.figures).toMatchObject({ 'members-registered': 5, 'youth-union-members': 2, 'household-visits': 3, 'households-reached': 2, 'active-teams': 1, 'active-weeks': 2 });
    expect(t2.figures).toMatchObject({ 'members-registered': 3, 'household-visits': 1, 'active-weeks': 1 });
    expect(t1.targets).toEqual({});
  });

  it('digests inputs independently of their order, and changes with any figure', async () => {
    const inputs = await gatherInputs(new InMemoryFigures(model()), new ScoringUnits(units), { set: defaultSet(), area: { level: 'province', code: '82' }, period: '2026-Q4' });
    const changed = inputs.map((i, index) => (index === 0 ? { ...i, figures: { ...i.figures, 'household-visits': 4 } } : i));
    for (const version of [1, 2] as const) {
      expect(inputsDigest([...inputs].reverse(), version)).toBe(inputsDigest(inputs, version));
      expect(inputsDigest(changed, version)).not.toBe(inputsDigest(inputs, version));
    }
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
