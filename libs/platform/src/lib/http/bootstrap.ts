import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { CDT_CONFIG, CdtConfig } from '../config/config';
import { ProblemError, problemFromError } from '../errors/problem';
import { PinoLoggerService, ROOT_LOGGER } from '../logging/logger';
import { HttpMetrics } from '../metrics/http-metrics';
import { setupOpenApi } from './openapi';
import { PlatformRequest, requestObserver } from './request';

export interface HttpAppOptions {
  serviceName: string;
  /** OpenAPI document version (default 1.0.0). */
  version?: string;
}

/**
 * Wires an app built on PlatformModule for HTTP: pino as Nest's logger, the request observer
 * (correlation id, request log, metrics), the JSON body parser with the configured limit whose
 * errors become problems (400 MALFORMED_JSON, 413 PAYLOAD_TOO_LARGE), OpenAPI at /docs and shutdown
 * hooks. Use it on apps made with `bodyParser: false`, e.g. in tests:
 * `moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true })`.
 */
export function configureHttpApp(app: NestExpressApplication, options: HttpAppOptions): void {
  const config = app.get<CdtConfig>(CDT_CONFIG);
  app.useLogger(app.get(PinoLoggerService));
  app.flushLogs();
  app.disable('x-powered-by');
  app.use(requestObserver(app.get<Logger>(ROOT_LOGGER), app.get(HttpMetrics)));
  app.useBodyParser('json', { limit: config.bodyLimit });
  // Runs only when the parser failed: hand Nest an error it will not rewrite into a bare 400.
  app.use((error: unknown, _req: PlatformRequest, _res: unknown, next: (error?: unknown) => void) => next(asParserProblem(error)));
  setupOpenApi(app, { title: `CDT Ledger — ${options.serviceName}`, version: options.version ?? '1.0.0' });
  app.enableShutdownHooks();
}

/** body-parser's errors are SyntaxErrors that Nest would map to a generic 400; keep their meaning. */
function asParserProblem(error: unknown): unknown {
  const problem = problemFromError(error);
  return problem.code === 'INTERNAL' ? error : new ProblemError(problem);
}

/** Creates, configures and starts an HTTP app on CDT_HOST:CDT_PORT; returns it and its base URL. */
export async function bootstrapHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, bufferLogs: true });
  configureHttpApp(app, options);
  const config = app.get<CdtConfig>(CDT_CONFIG);
  await app.listen(config.port, config.host);
  return { app, url: urlOf(app, config.host) };
}

function urlOf(app: INestApplication, host: string): string {
  const address = app.getHttpServer().address() as { port: number } | string | null;
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${port}`;
}
