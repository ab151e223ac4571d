import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { DevTokens, PlatformModule, configureHttpApp, loadConfig, type DevClaims } from '@cdt/platform';
import { KPI_READ_STORE, type KpiQueryStore } from '@cdt/read-store';
import { KPI_HTTP_CONTROLLERS, KPI_HTTP_PROVIDERS } from '../kpi-http';

export interface KpiHttpApp {
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>`, the port the app listens on. */
  readonly base: string;
  /** A bearer token for these claims, signed with the app's secret, valid for 10 minutes. */
  token(claims: DevClaims): Promise<string>;
  /** Closes the app and removes its data directory; the stores are the caller's to close. */
  close(): Promise<void>;
}

/**
 * The /v1/kpi API (controllers and providers as the projection service wires them) over real HTTP on
 * 127.0.0.1, port 0, answering from `readStore` with evidence from `events`: each app has its own
 * KpiReader, so its own answer cache, as a separate service would.
 */
export async function startKpiHttpApp(options: { events: EventStore; readStore: KpiQueryStore; serviceName?: string }): Promise<KpiHttpApp> {
  const serviceName = options.serviceName ?? 'kpi-spec';
  const dataDir = mkdtempSync(join(tmpdir(), `cdt-${serviceName}-`));
  const config = loadConfig({ CDT_JWT_SECRET: randomBytes(24).toString('hex'), CDT_LOG_LEVEL: 'silent', CDT_DATA_DIR: dataDir });
  @Module({
    controllers: KPI_HTTP_CONTROLLERS,
    providers: [...KPI_HTTP_PROVIDERS, { provide: EVENT_STORE, useValue: options.events }, { provide: KPI_READ_STORE, useValue: options.readStore }],
  })
  class KpiHttpSpecModule {}
  const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot({ serviceName, config }), KpiHttpSpecModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureHttpApp(app, { serviceName });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    base: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`,
    token: (claims) => DevTokens.issue(config, claims, 600),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
