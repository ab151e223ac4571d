import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, INestApplication, Module, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsString, ValidateNested } from 'class-validator';
import { DomainError } from '@cdt/domain-shared';
import { CdtConfig, CurrentPrincipal, DevTokens, Principal, Roles, bootstrapHttpApp, loadConfig } from '@cdt/platform';
import { AppModule } from './app.module';

class ItemDto {
  @IsArray() @ArrayNotEmpty() @IsString({ each: true }) memberIds!: string[];
}
class ProbeDto {
  @IsArray() @ValidateNested({ each: true }) @Type(() => ItemDto) items!: ItemDto[];
}

/** A protected route for this spec only: the app has no feature routes of its own yet. */
@Controller('v1/probe')
class ProbeController {
  @Roles('officer', 'ministry')
  @Post()
  echo(@Body() body: ProbeDto, @CurrentPrincipal() principal: Principal): { items: number; subject: string } {
    return { items: body.items.length, subject: principal.subject };
  }

  @Post('domain-error')
  domainError(): never {
    throw new DomainError('MEMBER_NOT_IN_TEAM', 'member m-7 was not in team t-1 on 2026-03-02', 'memberIds');
  }

  @Post('crash')
  crash(): never {
    throw new Error('secret internals: connection to 10.0.0.5 refused');
  }
}

describe('standalone app over HTTP (embedded store)', () => {
  let dataDir: string;
  let config: CdtConfig;
  let app: INestApplication;
  let url: string;
  let officer: string;
  let reporter: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cdt-standalone-'));
    config = loadConfig({ CDT_DATA_DIR: dataDir, CDT_PORT: '0', CDT_LOG_LEVEL: 'silent', CDT_BODY_LIMIT: '4kb' });
    @Module({ imports: [AppModule.forRoot(config)], controllers: [ProbeController] })
    class SpecModule {}
    ({ app, url } = await bootstrapHttpApp(SpecModule, { serviceName: 'standalone' }));
    officer = await DevTokens.issue(config, { subject: 'o-1', role: 'officer', provinceCode: '82' }, 300);
    reporter = await DevTokens.issue(config, { subject: 'r-1', role: 'reporter', teamId: 't-1' }, 300);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, body: string, token?: string): Promise<Response> =>
    fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body,
    });

  const expectProblem = async (response: Response, status: number, code: string): Promise<Record<string, unknown>> => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status, code, type: expect.stringMatching(/^https:\/\//), title: expect.any(String) });
    return problem;
  };

  it('answers /health with the event store up', async () => {
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', info: { 'event-store': { status: 'up' } } });
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });

  it('serves Prometheus metrics, counting requests by route pattern', async () => {
    await fetch(`${url}/health`);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="standalone"\} /m);
    expect(text).toMatch(/^cdt_http_requests_total\{method="GET",route="\/health",status="200",service="standalone"\} \d+/m);
    expect(text).toMatch(/^cdt_http_request_duration_seconds_bucket\{le="0.005",/m);
  });

  it('serves an OpenAPI 3 document with bearer auth, and Swagger UI', async () => {
    const document = (await (await fetch(`${url}/docs-json`)).json()) as Record<string, unknown>;
    expect(document['openapi']).toMatch(/^3\./);
    expect(document).toMatchObject({ components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }, paths: { '/v1/probe': {} } });
    const ui = await fetch(`${url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const problem = await expectProblem(await fetch(`${url}/v1/nothing-here`), 404, 'NOT_FOUND');
    expect(problem['instance']).toBe('/v1/nothing-here');
  });

  it('refuses a protected route without a token (401) and with a disallowed role (403)', async () => {
    const missing = await expectProblem(await post('/v1/probe', '{"items":[]}'), 401, 'UNAUTHENTICATED');
    expect(missing['detail']).toMatch(/Authorization/);
    await expectProblem(await post('/v1/probe', '{"items":[]}', 'not-a-token'), 401, 'UNAUTHENTICATED');
    await expectProblem(await post('/v1/probe', '{"items":[]}', reporter), 403, 'FORBIDDEN');
  });

  it('accepts a valid call from an allowed role', async () => {
    const response = await post('/v1/probe', JSON.stringify({ items: [{ memberIds: ['m-1'] }] }), officer);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ items: 1, subject: 'o-1' });
    expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    await expectProblem(await post('/v1/probe', '{"items": [', officer), 400, 'MALFORMED_JSON');
  });

  it('answers a body over CDT_BODY_LIMIT with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 400 }, () => ({ memberIds: ['member-0000'] })) });
    expect(big.length).toBeGreaterThan(4096);
    await expectProblem(await post('/v1/probe', big, officer), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers an invalid body with 400 VALIDATION_FAILED naming the dotted field path', async () => {
    const body = JSON.stringify({ items: [{ memberIds: ['m-1'] }, { memberIds: [] }], extra: 1 });
    const problem = await expectProblem(await post('/v1/probe', body, officer), 400, 'VALIDATION_FAILED');
    expect(problem['errors']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'items.1.memberIds', code: 'ARRAY_NOT_EMPTY' }),
        expect.objectContaining({ field: 'extra', code: 'UNKNOWN_FIELD' }),
      ]),
    );
  });

  it('answers a domain rule with 422 and its code, and a crash with a bare 500', async () => {
    const domain = await expectProblem(await post('/v1/probe/domain-error', '{}', officer), 422, 'MEMBER_NOT_IN_TEAM');
    expect(domain['errors']).toEqual([expect.objectContaining({ field: 'memberIds' })]);
    const crash = await expectProblem(await post('/v1/probe/crash', '{}', officer), 500, 'INTERNAL');
    expect(JSON.stringify(crash)).not.toMatch(/10\.0\.0\.5|secret internals/);
  });
});
