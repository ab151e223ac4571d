import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { EventStoreOptions } from '@cdt/event-store';
import { DevTokens, configureHttpApp, loadConfig, type DevClaims } from '@cdt/platform';
import { AppModule, SERVICE_NAME } from '../../../apps/activity-service/src/app.module';

export interface Reply {
  status: number;
  body: Record<string, unknown> & { results?: Record<string, unknown>[]; errors?: { field: string; code: string }[] };
  type: string | null;
}

/** A store for one suite, and how to throw it away afterwards. */
export type StoreFactory = () => Promise<{ options: EventStoreOptions; cleanup(): Promise<void> }>;

export interface RunningWriteSide {
  readonly app: INestApplication;
  /** One bearer token per name of the claims given to bootWriteSide. */
  readonly tokens: Readonly<Record<string, string>>;
  call(method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply>;
  close(): Promise<void>;
}

/**
 * apps/activity-service over real HTTP on 127.0.0.1, port 0, on the store the factory opens. `env`
 * overrides the config (e.g. CDT_BODY_LIMIT). `call` sends a string body as it is (malformed JSON tests).
 */
export async function bootWriteSide(storeOf: StoreFactory, claims: Record<string, DevClaims>, env: Record<string, string> = {}): Promise<RunningWriteSide> {
  const store = await storeOf();
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-e2e-'));
  const config = loadConfig({ CDT_JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e!', CDT_LOG_LEVEL: 'silent', CDT_DATA_DIR: dataDir, ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, store.options)] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureHttpApp(app, { serviceName: SERVICE_NAME });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const tokens: Record<string, string> = {};
  for (const [name, claim] of Object.entries(claims)) tokens[name] = await DevTokens.issue(config, claim, 600);

  const call = async (method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, type: response.headers.get('content-type') };
  };
  const close = async (): Promise<void> => {
    await app.close();
    await store.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { app, tokens, call, close };
}
