import { Body, Controller, Inject, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AdminUnits } from '@cdt/admin-units';
import { parsePeriod } from '@cdt/domain-shared';
import { CorrelationId, CurrentPrincipal, ProblemDto, Roles, assertUnitAccess, forbidden, type Principal } from '@cdt/platform';
import { AssignUnitTarget, type TargetWriteResult } from '../assign-target/assign-target.command';
import { ADMIN_UNITS, todaysPlaceOf, unitNotFound } from '../units/admin-units.provider';
import { AssignTargetDto, TargetWriteResultDto } from './targets.dto';

@ApiTags('registry')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Controller('v1/targets')
export class TargetsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ADMIN_UNITS) private readonly units: AdminUnits,
  ) {}

  /** The unit must exist on the first day of the period, in the hierarchy of that day. */
  @Post()
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 201, type: TargetWriteResultDto })
  assign(@Body() body: AssignTargetDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string): Promise<TargetWriteResult> {
    const firstDay = parsePeriod(body.period)?.first ?? body.period;
    if (body.unitCode === 'VN') {
      if (principal.role !== 'ministry') throw forbidden('only the ministry sets national targets');
    } else {
      const unit = this.units.unit(body.unitCode, firstDay);
      if (!unit) throw unitNotFound('unitCode', body.unitCode, firstDay);
      const place = unit.level === 'commune' ? todaysPlaceOf(this.units, unit.code, firstDay) : { provinceCode: unit.provinceCode };
      assertUnitAccess(principal, place, { provinceCode: 'unitCode', communeCode: 'unitCode' });
    }
    const command = { type: 'AssignTarget' as const, unitCode: body.unitCode, indicatorCode: body.indicator, period: body.period, value: body.value };
    return this.commands.execute(new AssignUnitTarget(command, { actor: principal.subject, correlationId }, new Date().toISOString(), body.expectedVersion));
  }
}
