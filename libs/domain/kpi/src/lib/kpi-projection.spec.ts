import { indicatorValues, rankUnits, type IndicatorValue } from './figures';
import { childrenOf, figuresOf, type InMemoryReadModel } from './in-memory-read-model';
import {
  dissolved,
  enrollment,
  established,
  install,
  joined,
  left,
  project,
  ref,
  relocated,
  retraction,
  roleChanged,
  serviceAssist,
  targetAssigned,
  visit,
} from './kpi.fixtures';
import type { Level, View } from './units';

const indicators = (model: InMemoryReadModel, view: View, level: Level, unitKey: string, period: string, communesInUnit?: number) =>
  Object.fromEntries(
    indicatorValues(figuresOf(model, view, level, [unitKey], period)[0], { communesInUnit }).map((v) => [v.code, v]),
  ) as Record<string, IndicatorValue>;

const value = (model: InMemoryReadModel, view: View, level: Level, unitKey: string, period: string, code: string) =>
  indicators(model, view, level, unitKey, period)[code].value;

const t1 = { teamId: 't1', communeCode: '10001', occurredAt: '2024-03-02T09:00:00+07:00' };

describe('KPI projection: figures the provinces read', () => {
  it('gives attainment next to the figure: 6,800 provincial-app installs against 4,800 is 141.7%', () => {
    const installs = Array.from({ length: 6800 }, (_, i) => install({ ...t1, occurredAt: `2023-0${1 + (i % 9)}-15T10:00:00+07:00` }, 'provincial-citizen-app', ref(i)));
    const model = project([established('t1', '10001', '2023-01-01'), targetAssigned('10', 'app-install.provincial-citizen-app', '2023', 4800), ...installs]);
    const figure = indicators(model, 'as-recorded', 'province', '10', '2023')['app-install.provincial-citizen-app'];
    expect(figure).toMatchObject({ value: 6800, target: 4800, attainmentPct: 141.7 });
    expect(indicators(model, 'as-recorded', 'province', '10', '2023-03')['app-install.provincial-citizen-app']).not.toHaveProperty('target');
  });

  it('counts a household once however often it is visited, and stops counting it only when every visit is retracted', () => {
    const first = visit(t1, ref(1), ['public-services', 'online-payment']);
    const second = visit({ ...t1, occurredAt: '2024-03-20T09:00:00+07:00' }, ref(1), ['online-safety']);
    const other = visit(t1, ref(2), []);
    let model = project([established('t1', '10001', '2024-01-01'), first, second, other]);
    const month = (m: InMemoryReadModel, code: string) => value(m, 'as-recorded', 'commune', '10001', '2024-03', code);
    expect([month(model, 'household-visits'), month(model, 'households-reached')]).toEqual([3, 2]);
    expect([month(model, 'visit-skill.public-services'), month(model, 'visit-skill.online-payment'), month(model, 'visit-skill.online-safety'), month(model, 'visit-skill.online-shopping')]).toEqual([1, 1, 1, 0]);
    model = project([retraction(first)], [], model);
    expect([month(model, 'household-visits'), month(model, 'households-reached'), month(model, 'visit-skill.public-services')]).toEqual([2, 2, 0]);
    model = project([retraction(second)], [], model);
    expect([month(model, 'household-visits'), month(model, 'households-reached')]).toEqual([1, 1]);
    expect(value(model, 'current', 'nation', 'VN', '2024', 'households-reached')).toBe(1);
  });

  it('counts a redelivered event once, in the same batch or a later one', () => {
    const v = visit(t1, ref(1));
    const r = retraction(v);
    const model = project([established('t1', '10001', '2024-01-01'), v, v, visit(t1, ref(2)), v, r, r], [2, 1, 2]);
    expect(value(model, 'as-recorded', 'province', '10', '2024-W09', 'household-visits')).toBe(1);
    expect(value(model, 'as-recorded', 'province', '10', '2024-W09', 'households-reached')).toBe(1);
  });

  it('puts a fact on every level and period: team, village, commune, district (before the reform), province, nation', () => {
    const model = project([established('t1', '10001', '2024-01-01', 'Thôn Tân Hòa'), visit({ ...t1, village: 'Thôn Tân Hòa' }, ref(1))]);
    const units: [Level, string][] = [['team', 't1'], ['village', '10001/Thôn Tân Hòa'], ['commune', '10001'], ['district', '101'], ['province', '10'], ['nation', 'VN']];
    for (const [level, key] of units) {
      for (const period of ['2024-03-02', '2024-W09', '2024-03', '2024-Q1', '2024']) {
        expect(value(model, 'as-recorded', level, key, period, 'household-visits')).toBe(1);
      }
    }
    expect(value(model, 'current', 'district', '101', '2024', 'household-visits')).toBe(0);
    expect(childrenOf(model, 'as-recorded', 'province', '10', 'district', '2024')).toEqual(['101']);
  });

  it('counts trainings by trainee kind, installs per app and each digital-service assist', () => {
    const model = project([
      established('t1', '10001', '2024-01-01'),
      enrollment(t1, 'citizen'),
      enrollment(t1, 'official'),
      enrollment(t1, 'citizen', true),
      install(t1, 'vneid', ref(3)),
      install(t1, 'vneid', ref(3)),
      install(t1, 'e-wallet', ref(4)),
      ...['dvctt-account', 'dvctt-dossier', 'dvctt-dossier', 'online-payment', 'merchant-e-payment', 'e-commerce-listing'].map((s) => serviceAssist(t1, s)),
    ]);
    const figures = indicators(model, 'as-recorded', 'commune', '10001', '2024');
    const pick = (codes: string[]) => codes.map((code) => figures[code].value);
    expect(pick(['training-enrollments', 'training-enrollments.citizen', 'training-enrollments.official', 'training-enrollments.member', 'training-completions', 'training-completions.citizen'])).toEqual([2, 1, 1, 0, 1, 1]);
    expect(pick(['app-installs', 'app-install.vneid', 'app-install.e-wallet', 'citizens-assisted.vneid'])).toEqual([3, 2, 1, 1]);
    expect(pick(['dvctt-accounts', 'dvctt-dossiers', 'online-payments', 'merchants-onboarded', 'products-listed'])).toEqual([1, 2, 1, 1, 1]);
  });

  it('counts active teams and members once per period, and registered members and the youth-union share at its end', () => {
    const model = project([
      established('t1', '10001', '2024-01-01'),
      ...['m1', 'm2', 'm3'].map((m) => joined('t1', m, '2024-01-01')),
      joined('t1', 'm4', '2024-02-10', true),
      roleChanged('t1', 'm2', '2024-03-05', true),
      left('t1', 'm3', '2024-04-30'),
      visit({ ...t1, memberIds: ['m1', 'm2'] }, ref(1)),
      visit({ ...t1, memberIds: ['m2'] }, ref(2)),
    ]);
    const at = (period: string) => indicators(model, 'as-recorded', 'commune', '10001', period);
    expect(at('2024-01')['members-registered'].value).toBe(3);
    expect(at('2024-02')['youth-union-share']).toMatchObject({ value: 0.25, numerator: 1, denominator: 4 });
    expect(at('2024-03')['youth-union-share']).toMatchObject({ value: 0.5 });
    expect(at('2024-05')['youth-union-share']).toMatchObject({ value: 2 / 3, numerator: 2, denominator: 3 });
    expect([at('2024-03')['active-teams'].value, at('2024-03')['active-members'].value, at('2024-04')['active-members'].value]).toEqual([1, 2, 0]);
    expect(at('2023-12')['members-registered'].value).toBe(0);
  });

  it('measures coverage of communes and of registered villages by teams active in the period', () => {
    const model = project([
      established('t1', '10001', '2024-01-01', 'Thôn 1'),
      established('t2', '10001', '2024-01-01', 'Thôn 2'),
      established('t3', '10002', '2024-01-01', 'Thôn 1'),
      dissolved('t3', '2024-02-01'),
      visit({ ...t1, occurredAt: '2024-01-20T09:00:00+07:00' }, ref(1)),
    ]);
    const jan = indicators(model, 'as-recorded', 'province', '10', '2024-01', 2);
    expect(jan['communes-covered'].value).toBe(1);
    expect(jan['commune-coverage']).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });
    expect(jan['village-coverage']).toMatchObject({ numerator: 1, denominator: 3 });
    const feb = indicators(model, 'as-recorded', 'province', '10', '2024-02', 2);
    expect(feb['village-coverage']).toMatchObject({ value: 0, numerator: 0, denominator: 2 });
    expect(indicators(model, 'as-recorded', 'province', '10', '2024-02')['commune-coverage'].value).toBeNull();
    expect(indicators(model, 'as-recorded', 'commune', '10001', '2024-01')['village-coverage'].value).toBe(0.5);
  });

  it('ranks children by an indicator, ties sharing a rank', () => {
    const events = [established('t1', '10001', '2024-01-01'), established('t2', '10002', '2024-01-01'), established('t3', '20001', '2024-01-01')];
    const where = (teamId: string, communeCode: string) => ({ teamId, communeCode, occurredAt: '2024-05-05T09:00:00+07:00' });
    events.push(visit(where('t1', '10001'), ref(1)), visit(where('t2', '10002'), ref(2)), visit(where('t2', '10002'), ref(3)), visit(where('t3', '20001'), ref(4)));
    const model = project(events);
    const communes = childrenOf(model, 'as-recorded', 'nation', 'VN', 'commune', '2024-05');
    expect(rankUnits('household-visits', figuresOf(model, 'as-recorded', 'commune', communes, '2024-05'))).toEqual([
      { rank: 1, unitKey: '10002', value: 2 },
      { rank: 2, unitKey: '10001', value: 1 },
      { rank: 2, unitKey: '20001', value: 1 },
    ]);
    expect(childrenOf(model, 'as-recorded', 'province', '10', 'commune', '2024-05')).toEqual(['10001', '10002']);
  });
});

describe('the 2025 reform: as recorded and under current units', () => {
  const history = () => {
    const early = visit(t1, ref(1));
    return {
      early,
      events: [
        established('t1', '10001', '2024-01-01'),
        joined('t1', 'm1', '2024-01-01', true),
        early,
        visit({ ...t1, occurredAt: '2024-06-01T09:00:00+07:00' }, ref(2)),
        relocated('t1', { communeCode: '10001' }, { communeCode: '30001', village: 'Thôn Mới' }, '2025-07-01'),
        visit({ teamId: 't1', communeCode: '30001', village: 'Thôn Mới', occurredAt: '2026-02-01T09:00:00+07:00' }, ref(1)),
      ],
    };
  };

  it('keeps facts under the unit of their day as recorded, and moves the team’s whole history under current units', () => {
    const { events } = history();
    for (const batches of [[], [1, 1, 1, 1, 1, 1], [3, 3]]) {
      const model = project(events, batches);
      expect(value(model, 'as-recorded', 'province', '10', '2024', 'household-visits')).toBe(2);
      expect(value(model, 'as-recorded', 'district', '101', '2024', 'household-visits')).toBe(2);
      expect(value(model, 'as-recorded', 'province', '30', '2024', 'household-visits')).toBe(0);
      expect(value(model, 'current', 'province', '10', '2024', 'household-visits')).toBe(0);
      expect(value(model, 'current', 'province', '30', '2024', 'households-reached')).toBe(2);
      expect(value(model, 'current', 'commune', '30001', '2024', 'household-visits')).toBe(2);
      expect(value(model, 'current', 'village', '30001/Thôn Mới', '2024-Q1', 'household-visits')).toBe(1);
      expect(value(model, 'current', 'province', '30', '2026', 'household-visits')).toBe(1);
      // Registry stocks: the team and its member left province 10 on the reform day as recorded.
      expect(value(model, 'as-recorded', 'province', '10', '2025-06', 'teams-registered')).toBe(1);
      expect(value(model, 'as-recorded', 'province', '10', '2025-07', 'teams-registered')).toBe(0);
      expect(value(model, 'as-recorded', 'province', '30', '2025-07', 'youth-union-members')).toBe(1);
      expect(value(model, 'current', 'province', '30', '2024-01', 'members-registered')).toBe(1);
      expect(value(model, 'current', 'province', '10', '2024-01', 'members-registered')).toBe(0);
      expect(childrenOf(model, 'current', 'province', '30', 'team', '2024')).toEqual(['t1']);
    }
  });

  it('takes a retraction after the relocation off where the fact now counts in each view', () => {
    const { early, events } = history();
    const model = project([...events, retraction(early)], [2, 4]);
    expect(value(model, 'as-recorded', 'province', '10', '2024', 'household-visits')).toBe(1);
    expect(value(model, 'current', 'province', '30', '2024', 'household-visits')).toBe(1);
    expect(value(model, 'current', 'province', '30', '2024', 'households-reached')).toBe(1);
    expect(value(model, 'current', 'nation', 'VN', '2024-03', 'households-reached')).toBe(0);
  });
});
