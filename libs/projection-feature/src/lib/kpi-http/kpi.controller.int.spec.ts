import { Workbook } from 'exceljs';
import { loadAdminUnits } from '@cdt/admin-units';
import { START, openEventStore, type EventStore } from '@cdt/event-store';
import type { DevClaims } from '@cdt/platform';
import { loadProjectorState, openKpiReadStore, projectIntoStore, type KpiReadStore } from '@cdt/read-store';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { startKpiHttpApp, type KpiHttpApp } from '../testing/kpi-http-app';
import { TEAM_A, TEAM_B, appendScenario } from './kpi-http.fixtures';
import { CHILDREN_HEADERS, UNIT_HEADERS } from './index';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: Record<string, unknown> & { errors?: { field: string; code: string }[]; code?: string };
}
type Value = { code: string; value: number | null; target?: number; attainmentPct?: number };

const valueOf = (body: Record<string, unknown>, code: string): Value | undefined => (body['indicators'] as Value[]).find((v) => v.code === code);

/**
 * The query API over HTTP against a PGlite read store filled by `projectIntoStore` from events in a real
 * (in-memory) event store: figures, targets, both views, drill-down, series, comparison, exports, every
 * endpoint's scope for every role, and the problems bad input gets.
 */
describe('KPI query API (/v1/kpi) over HTTP on a PGlite read store', () => {
  let kpi: KpiHttpApp;
  let events: EventStore;
  let readStore: KpiReadStore;
  const tokens: Record<string, string> = {};

  const get = async (path: string, who: string | undefined, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await fetch(`${kpi.base}${path}`, { headers: { ...headers, ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) } });
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString('utf8');
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, text, bytes, json: type.includes('json') ? JSON.parse(text) : {} };
  };

  beforeAll(async () => {
    events = await openEventStore({ kind: 'memory' });
    readStore = await openKpiReadStore({ kind: 'memory' });
    await appendScenario(events);
    const all = await events.readAll({ after: START, limit: 10_000 });
    await projectIntoStore(readStore, await loadProjectorState(readStore), all.events, all.checkpoint, adminUnitResolver(loadAdminUnits()));

    kpi = await startKpiHttpApp({ events, readStore, serviceName: 'kpi-spec' });
    const claims: Record<string, DevClaims> = {
      ministry: { subject: 'ministry-1', role: 'ministry' },
      auditor: { subject: 'auditor-1', role: 'auditor' },
      officer82: { subject: 'officer-82', role: 'officer', provinceCode: '82' },
      officer79: { subject: 'officer-79', role: 'officer', provinceCode: '79' },
      communeOfficer: { subject: 'officer-28261', role: 'officer', provinceCode: '82', communeCode: '28261' },
      reporterA: { subject: 'reporter-a', role: 'reporter', teamId: TEAM_A.teamId },
    };
    for (const [name, claim] of Object.entries(claims)) tokens[name] = await kpi.token(claim);
  });

  afterAll(async () => {
    await kpi?.close();
    await readStore?.close();
    await events?.close();
  });

  describe('one unit', () => {
    it('answers a province-month with the event log figures, target, attainment, the view and the checkpoint', async () => {
      const reply = await get('/v1/kpi/province/82?period=2026-11', 'ministry');
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ level: 'province', unitCode: '82', unitName: 'Đồng Tháp', view: 'as-recorded', period: '2026-11', periodKind: 'month', hierarchy: '2025' });
      expect(valueOf(reply.json, 'household-visits')).toMatchObject({ value: 3, target: 4, attainmentPct: 75 });
      expect(valueOf(reply.json, 'households-reached')?.value).toBe(2);
      expect(valueOf(reply.json, 'app-install.vneid')?.value).toBe(1);
      expect(valueOf(reply.json, 'app-install.e-wallet')?.value).toBe(2);
      expect(valueOf(reply.json, 'active-teams')?.value).toBe(2);
      expect(valueOf(reply.json, 'households-reached')).not.toHaveProperty('target');
      const head = await events.head();
      expect(reply.json['watermark']).toEqual({ checkpoint: head, exact: true, stale: false });
      expect(reply.headers.get('cdt-checkpoint')).toBe(`${head.transactionId}/${head.globalPosition}`);
    });

    it('reads every period kind: day, ISO week, quarter, year', async () => {
      const visits = async (period: string) => valueOf((await get(`/v1/kpi/commune/28249?period=${period}`, 'ministry')).json, 'household-visits')?.value;
      expect(await visits('2026-11-03')).toBe(1);
      expect(await visits('2026-11-25')).toBe(0);
      expect(await visits('2026-W46')).toBe(1);
      expect(await visits('2026-Q4')).toBe(2);
      expect(await visits('2026')).toBe(2);
    });

    it('answers a village, a team, the nation and a pre-2025 district', async () => {
      expect(valueOf((await get(`/v1/kpi/village/${encodeURIComponent('28249/Ấp Tân Hòa')}?period=2026-11`, 'ministry')).json, 'household-visits')?.value).toBe(2);
      expect(valueOf((await get(`/v1/kpi/team/${TEAM_B.teamId}?period=2026-11`, 'ministry')).json, 'app-installs')?.value).toBe(2);
      expect(valueOf((await get('/v1/kpi/nation/VN?period=2026-11', 'auditor')).json, 'household-visits')?.value).toBe(7);
      const district = await get('/v1/kpi/district/815?period=2024-03', 'ministry');
      expect(district.status).toBe(200);
      expect(district.json).toMatchObject({ unitName: 'Thành phố Mỹ Tho', hierarchy: 'pre-2025' });
      expect(valueOf(district.json, 'household-visits')?.value).toBe(1);
    });

    it('labels the current-units view, which follows the relocated team onto today\'s commune', async () => {
      const current = await get('/v1/kpi/commune/28249?period=2024-03&view=current', 'ministry');
      expect(current.json).toMatchObject({ view: 'current', hierarchy: '2025', unitName: 'Phường Đạo Thạnh' });
      expect(valueOf(current.json, 'household-visits')?.value).toBe(1);
      const asRecorded = await get('/v1/kpi/commune/28252?period=2024-03', 'ministry');
      expect(asRecorded.json).toMatchObject({ view: 'as-recorded', unitName: 'Phường 4' });
      expect(valueOf(asRecorded.json, 'household-visits')?.value).toBe(1);
    });
  });

  describe('drill-down, series and comparison', () => {
    it('ranks a province\'s communes, listing official communes without figures at 0', async () => {
      const reply = await get('/v1/kpi/province/82/children?period=2026-11&indicator=household-visits', 'officer82');
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ childLevel: 'commune', indicator: { code: 'household-visits' }, view: 'as-recorded' });
      const children = reply.json['children'] as { rank: number; unitCode: string; unitName: string; value: number }[];
      expect(children.slice(0, 2)).toEqual([
        { rank: 1, level: 'commune', unitCode: '28249', unitName: 'Phường Đạo Thạnh', value: 2 },
        { rank: 2, level: 'commune', unitCode: '28261', unitName: 'Phường Mỹ Tho', value: 1 },
      ]);
      expect(children).toHaveLength(loadAdminUnits().children('82', '2026-11-01').length);
      expect(children[2]).toMatchObject({ rank: 3, value: 0 });
    });

    it('drills from a commune to its villages and teams', async () => {
      const villages = await get('/v1/kpi/commune/28261/children?period=2026-11&indicator=app-installs', 'ministry');
      expect(villages.json['children']).toEqual([{ rank: 1, level: 'village', unitCode: '28261/Ấp An Bình', unitName: 'Ấp An Bình', value: 2 }]);
      const teams = await get('/v1/kpi/commune/28261/children?period=2026-11&indicator=app-installs&childLevel=team', 'ministry');
      expect(teams.json['children']).toEqual([{ rank: 1, level: 'team', unitCode: TEAM_B.teamId, unitName: TEAM_B.teamId, value: 2 }]);
    });

    it('gives a time series by month and by week', async () => {
      const months = await get('/v1/kpi/commune/28249/series?indicator=household-visits&from=2026-09&to=2026-11', 'officer82');
      expect(months.status).toBe(200);
      expect((months.json['points'] as { period: string; value: Value }[]).map((p) => [p.period, p.value.value])).toEqual([
        ['2026-09', 0],
        ['2026-10', 0],
        ['2026-11', 2],
      ]);
      const weeks = await get('/v1/kpi/province/82/series?indicator=household-visits&from=2026-11&to=2026-11&granularity=week', 'ministry');
      expect(weeks.json).toMatchObject({ granularity: 'week', from: '2026-W44', to: '2026-W49' });
      expect((weeks.json['points'] as { value: Value }[]).reduce((sum, p) => sum + (p.value.value ?? 0), 0)).toBe(3);
    });

    it('compares provinces side by side, restricted to the indicators asked', async () => {
      const reply = await get('/v1/kpi/compare?units=province:82,province:79&period=2026-11&indicators=household-visits,app-installs', 'ministry');
      expect(reply.status).toBe(200);
      const units = reply.json['units'] as { unitCode: string; indicators: Value[] }[];
      expect(units.map((u) => [u.unitCode, u.indicators.map((v) => [v.code, v.value])])).toEqual([
        ['82', [['household-visits', 3], ['app-installs', 3]]],
        ['79', [['household-visits', 4], ['app-installs', 0]]],
      ]);
      expect(reply.json['watermark']).toMatchObject({ exact: true });
    });
  });

  describe('exports', () => {
    it('writes CSV (UTF-8 with BOM, Vietnamese headers, a file name) for ?format=csv and for Accept: text/csv', async () => {
      for (const [query, headers] of [['&format=csv', {}], ['', { accept: 'text/csv' }]] as const) {
        const reply = await get(`/v1/kpi/province/82?period=2026-11${query}`, 'officer82', headers);
        expect(reply.status).toBe(200);
        expect(reply.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        expect(reply.headers.get('content-disposition')).toContain('filename="kpi_province_82_2026-11_as-recorded.csv"');
        expect([...reply.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const lines = reply.text.slice(1).trimEnd().split('\r\n');
        expect(lines[0]).toBe(UNIT_HEADERS.join(','));
        expect(lines[0]).toContain('Mã đơn vị,Tên đơn vị');
        expect(lines.find((line) => line.includes(',household-visits,'))).toMatch(/^82,Đồng Tháp,Tỉnh,2026-11,.*,3,4,75,\d+\/\d+$/);
      }
    });

    it('writes the drill-down as XLSX that Excel (exceljs) reads back', async () => {
      const reply = await get('/v1/kpi/province/82/children?period=2026-11&indicator=household-visits&format=xlsx', 'ministry');
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(reply.headers.get('content-disposition')).toContain('.xlsx');
      const workbook = new Workbook();
      await workbook.xlsx.load(reply.bytes as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      expect(sheet.getRow(1).values).toEqual([undefined, ...CHILDREN_HEADERS]);
      expect((sheet.getRow(2).values as unknown[]).slice(1, 4)).toEqual([1, '28249', 'Phường Đạo Thạnh']);
      expect(sheet.getRow(2).getCell(10).value).toBe(2);
    });

    it('refuses an unknown format naming the field', async () => {
      const reply = await get('/v1/kpi/province/82?period=2026-11&format=pdf', 'ministry');
      expect(reply.status).toBe(400);
      expect(reply.json.errors?.map((e) => e.field)).toEqual(['format']);
    });
  });

  describe('scope, on every endpoint', () => {
    const endpoints = {
      unit: (level: string, code: string) => `/v1/kpi/${level}/${code}?period=2026-11`,
      children: (level: string, code: string) => `/v1/kpi/${level}/${code}/children?period=2026-11&indicator=household-visits`,
      series: (level: string, code: string) => `/v1/kpi/${level}/${code}/series?indicator=household-visits&from=2026-10&to=2026-11`,
      compare: (level: string, code: string) => `/v1/kpi/compare?units=${level}:${code}&period=2026-11`,
    };
    const cases: [who: string, level: string, code: string, status: number][] = [
      ['officer82', 'province', '82', 200],
      ['officer82', 'commune', '28249', 200],
      ['officer79', 'province', '82', 403],
      ['officer79', 'commune', '28249', 403],
      ['officer82', 'nation', 'VN', 403],
      ['communeOfficer', 'province', '82', 403],
      ['communeOfficer', 'commune', '28249', 403],
      ['communeOfficer', 'commune', '28261', 200],
      ['ministry', 'province', '79', 200],
      ['auditor', 'nation', 'VN', 200],
      ['reporterA', 'province', '82', 403],
      ['reporterA', 'commune', '28249', 403],
    ];
    for (const [endpoint, path] of Object.entries(endpoints)) {
      it.each(cases)(`${endpoint}: %s on %s %s → %i`, async (who, level, code, status) => {
        const reply = await get(path(level, code), who);
        expect(reply.status).toBe(status);
        if (status === 403) {
          expect(reply.headers.get('content-type')).toContain('application/problem+json');
          expect(reply.json.code).toBe('OUT_OF_SCOPE');
          expect(reply.json.errors?.[0].field).toBe(endpoint === 'compare' ? 'units[0]' : 'unitCode');
        }
      });
    }

    it('lets a reporter read its own team only (unit, series, compare)', async () => {
      expect((await get(`/v1/kpi/team/${TEAM_A.teamId}?period=2026-11`, 'reporterA')).status).toBe(200);
      expect((await get(`/v1/kpi/team/${TEAM_A.teamId}/series?indicator=household-visits&from=2026-11&to=2026-11`, 'reporterA')).status).toBe(200);
      expect((await get(`/v1/kpi/compare?units=team:${TEAM_A.teamId}&period=2026-11`, 'reporterA')).status).toBe(200);
      const other = await get(`/v1/kpi/team/${TEAM_B.teamId}?period=2026-11`, 'reporterA');
      expect(other.status).toBe(403);
      expect(other.json.code).toBe('OUT_OF_SCOPE');
      const mixed = await get(`/v1/kpi/compare?units=team:${TEAM_A.teamId},team:${TEAM_B.teamId}&period=2026-11`, 'reporterA');
      expect(mixed.status).toBe(403);
      expect(mixed.json.errors?.[0].field).toBe('units[1]');
    });

    it('scopes teams and villages by where they are: an officer of 79 may not read a team of 82', async () => {
      expect((await get(`/v1/kpi/team/${TEAM_B.teamId}?period=2026-11`, 'officer79')).status).toBe(403);
      expect((await get(`/v1/kpi/team/${TEAM_B.teamId}?period=2026-11`, 'communeOfficer')).status).toBe(200);
      expect((await get(`/v1/kpi/village/${encodeURIComponent('28249/Ấp Tân Hòa')}?period=2026-11`, 'communeOfficer')).status).toBe(403);
      // An old district counts where it lies today: Mỹ Tho (815, old Tiền Giang 82) is in today's Đồng Tháp.
      expect((await get('/v1/kpi/district/815?period=2024-03', 'officer82')).status).toBe(200);
      expect((await get('/v1/kpi/district/815?period=2024-03', 'officer79')).status).toBe(403);
    });

    it('refuses a call without a token', async () => {
      expect((await get('/v1/kpi/province/82?period=2026-11', undefined)).status).toBe(401);
    });
  });

  describe('bad input gets problem+json naming the field', () => {
    it.each([
      ['/v1/kpi/planet/82?period=2026-11', 400, 'level'],
      ['/v1/kpi/province/82?period=2026-13', 400, 'period'],
      ['/v1/kpi/province/82?period=2026-W60', 400, 'period'],
      ['/v1/kpi/province/82', 400, 'period'],
      ['/v1/kpi/province/82?period=2026-11&view=today', 400, 'view'],
      ['/v1/kpi/province/82?period=2026-11&colour=red', 400, 'colour'],
      ['/v1/kpi/province/82/children?period=2026-11&indicator=likes', 400, 'indicator'],
      ['/v1/kpi/province/82/series?indicator=household-visits&from=2026-11&to=2026-01', 400, 'to'],
      ['/v1/kpi/province/82/series?indicator=household-visits&from=2020-01-01&to=2026-11-30&granularity=day', 400, 'to'],
      ['/v1/kpi/compare?units=province:82,planet:3&period=2026-11', 400, 'units'],
      ['/v1/kpi/compare?units=province:82&period=2026-11&indicators=household-visits,likes', 400, 'indicators'],
      ['/v1/kpi/province/99?period=2026-11', 404, 'unitCode'],
      ['/v1/kpi/province/87?period=2026-11', 404, 'unitCode'],
      ['/v1/kpi/commune/82?period=2026-11', 404, 'unitCode'],
      ['/v1/kpi/nation/VNM?period=2026-11', 404, 'unitCode'],
      ['/v1/kpi/team/nobody?period=2026-11', 404, 'unitCode'],
      ['/v1/kpi/compare?units=province:82,province:99&period=2026-11', 404, 'units[1]'],
      ['/v1/kpi/district/815?period=2026-11', 400, 'period'],
      ['/v1/kpi/district/815?period=2024-03&view=current', 400, 'level'],
      ['/v1/kpi/village/28249?period=2026-11', 400, 'unitCode'],
      [`/v1/kpi/team/${TEAM_A.teamId}/children?period=2026-11&indicator=household-visits`, 400, 'level'],
    ])('%s → %i naming %s', async (path, status, field) => {
      const reply = await get(path, 'ministry');
      expect(reply.status).toBe(status);
      expect(reply.headers.get('content-type')).toContain('application/problem+json');
      expect(reply.json.errors?.map((e) => e.field)).toContain(field);
    });

    it('reads an old province code in a period of its hierarchy', async () => {
      const reply = await get('/v1/kpi/province/87?period=2024-03', 'ministry');
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ unitName: 'Tỉnh Đồng Tháp', hierarchy: 'pre-2025' });
    });
  });
});
