import type { ServerResponse } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { Logger } from 'pino';
import type { PlatformRequest } from '../http/request';
import { ROOT_LOGGER } from '../logging/logger';
import { PROBLEM_CONTENT_TYPE, problemFromError } from './problem';

/**
 * The one place an exception becomes an HTTP answer: RFC 9457 problem+json with a stable code.
 * A 5xx is logged with its cause and answered without internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const req = http.getRequest<PlatformRequest>();
    const res = http.getResponse<ServerResponse>();
    const problem = { ...problemFromError(error), instance: req.originalUrl ?? req.url };
    if (problem.status >= 500) {
      this.logger.error({ err: error, correlationId: req.correlationId, method: req.method, url: problem.instance }, 'unhandled error');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify(problem);
    res.statusCode = problem.status;
    res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }
}
