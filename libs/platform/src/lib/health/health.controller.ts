import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../auth/decorators';
import { READINESS_CHECKS, ReadinessCheck, ReadinessChecks } from './readiness';

interface StatusSettable {
  status(code: number): unknown;
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
  ) {}

  /** Liveness and readiness: 200 when every registered dependency answers, else 503 naming it. */
  @Get()
  async ready(@Res({ passthrough: true }) res: StatusSettable): Promise<HealthCheckResult> {
    const checks = [() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) }), ...this.readiness.list().map((check) => () => this.run(check.name, check.check))];
    return this.answer(res, () => this.health.check(checks));
  }

  /** Liveness only: the process answers. For restart decisions, which must not hinge on dependencies. */
  @Get('live')
  async live(@Res({ passthrough: true }) res: StatusSettable): Promise<HealthCheckResult> {
    return this.answer(res, () => this.health.check([() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]));
  }

  private async run(name: string, check: ReadinessCheck): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(name);
    try {
      const details = await check();
      return session.up(details ?? undefined);
    } catch (error) {
      return session.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Terminus throws 503 with the report as body; keep the report, not a problem body, for probes. */
  private async answer(res: StatusSettable, check: () => Promise<HealthCheckResult>): Promise<HealthCheckResult> {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
