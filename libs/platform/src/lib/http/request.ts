import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';
import type { HttpMetrics } from '../metrics/http-metrics';

/** The parts of an Express request the platform reads (no @types/express dependency). */
export interface PlatformRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: unknown };
  correlationId?: string;
  principal?: Principal;
}

type Next = (error?: unknown) => void;
export type Middleware = (req: PlatformRequest, res: ServerResponse, next: Next) => void;

const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes hit these every few seconds: their requests are logged at debug. */
const QUIET_ROUTES = new Set(['/health', '/health/live', '/metrics']);

/**
 * Gives every request a correlation id (the caller's `X-Correlation-Id` when it is a plain token,
 * else a new uuid; echoed in the response), logs it when it finishes and counts it in the metrics.
 * The route label is the matched pattern (`/v1/teams/:teamId`), never the raw path, so the metric
 * cardinality stays bounded; a request no route matched is labelled `unmatched`.
 */
export function requestObserver(logger: Logger, metrics: HttpMetrics): Middleware {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const header = req.headers[CORRELATION_HEADER];
    const offered = Array.isArray(header) ? header[0] : header;
    req.correlationId = offered !== undefined && CORRELATION_ID.test(offered) ? offered : randomUUID();
    res.setHeader('X-Correlation-Id', req.correlationId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      metrics.observe({ method: req.method ?? 'UNKNOWN', route, status: res.statusCode }, seconds);
      const fields = {
        correlationId: req.correlationId,
        method: req.method,
        url: req.originalUrl ?? req.url,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 1e4) / 10,
        subject: req.principal?.subject,
      };
      if (res.statusCode >= 500) logger.error(fields, 'request failed');
      else if (QUIET_ROUTES.has(route)) logger.debug(fields, 'request');
      else logger.info(fields, 'request');
    });
    next();
  };
}

const routeOf = (req: PlatformRequest): string => {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
};

/** The request's correlation id, for event metadata: `@CorrelationId() correlationId: string`. */
export const CorrelationId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const req = context.switchToHttp().getRequest<PlatformRequest>();
  return req.correlationId ?? randomUUID();
});
