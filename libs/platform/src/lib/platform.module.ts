import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { Logger } from 'pino';
import { AuthGuard } from './auth/auth.guard';
import { TOKEN_VERIFIER, TokenVerifier } from './auth/token-verifier';
import { CDT_CONFIG, CdtConfig, loadConfig } from './config/config';
import { ProblemFilter } from './errors/problem.filter';
import { createValidationPipe } from './errors/validation';
import { HealthController } from './health/health.controller';
import { READINESS_CHECKS, ReadinessChecks } from './health/readiness';
import { PinoLoggerService, ROOT_LOGGER, createRootLogger } from './logging/logger';
import { HttpMetrics, METRICS_REGISTRY, createMetricsRegistry } from './metrics/http-metrics';
import { MetricsController } from './metrics/metrics.controller';
import type { Registry } from 'prom-client';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

export interface PlatformOptions {
  serviceName: string;
  /** Defaults to `loadConfig(process.env)`; tests pass their own. */
  config?: CdtConfig;
}

/**
 * Everything an HTTP service of the ledger shares, global: CDT_CONFIG, the pino logger
 * (ROOT_LOGGER, PinoLoggerService), the bearer-token guard, the problem+json filter, the validation
 * pipe, `/health` (READINESS_CHECKS) and `/metrics` (METRICS_REGISTRY).
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const config = options.config ?? loadConfig();
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: options.serviceName },
        { provide: CDT_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useFactory: () => createRootLogger({ serviceName: options.serviceName, level: config.logLevel }) },
        { provide: PinoLoggerService, inject: [ROOT_LOGGER], useFactory: (logger: Logger) => new PinoLoggerService(logger) },
        { provide: TOKEN_VERIFIER, useFactory: () => new TokenVerifier(config.jwt) },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(options.serviceName) },
        { provide: HttpMetrics, inject: [METRICS_REGISTRY], useFactory: (registry: Registry) => new HttpMetrics(registry) },
        { provide: READINESS_CHECKS, useValue: new ReadinessChecks() },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [SERVICE_NAME, CDT_CONFIG, ROOT_LOGGER, PinoLoggerService, TOKEN_VERIFIER, METRICS_REGISTRY, HttpMetrics, READINESS_CHECKS],
    };
  }
}
