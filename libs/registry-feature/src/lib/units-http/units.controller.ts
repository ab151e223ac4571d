import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AdminUnit, AdminUnits } from '@cdt/admin-units';
import { ProblemDto, Roles } from '@cdt/platform';
import { ADMIN_UNITS, unitNotFound } from '../units/admin-units.provider';
import { UnitChildrenDto, UnitOnDayDto, UnitOnQueryDto, type PredecessorDto, type SuccessorDto, type UnitDto } from './units.dto';

const unitView = (unit: AdminUnit): UnitDto => ({ ...unit });

/**
 * The official units as of a day, in the hierarchy of that day. Reference data, the same for every
 * caller, so any role may read it; a code means something only on a date (ADR 0002), hence `on`.
 */
@ApiTags('units')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Controller('v1/units')
export class UnitsController {
  constructor(@Inject(ADMIN_UNITS) private readonly units: AdminUnits) {}

  @Get(':code')
  @Roles('reporter', 'officer', 'ministry', 'auditor')
  @ApiResponse({ status: 200, type: UnitOnDayDto })
  unit(@Param('code') code: string, @Query() { on }: UnitOnQueryDto): UnitOnDayDto {
    const unit = this.requireUnit(code, on);
    const view: UnitOnDayDto = { ...unitView(unit), on, ancestors: this.units.ancestors(unit.code, on).map(unitView) };
    if (unit.level === 'commune' && unit.hierarchy === 'pre-2025') view.successors = this.successorsOf(unit);
    if (unit.level === 'commune' && unit.hierarchy === '2025') view.predecessors = this.predecessorsOf(unit);
    return view;
  }

  @Get(':code/children')
  @Roles('reporter', 'officer', 'ministry', 'auditor')
  @ApiResponse({ status: 200, type: UnitChildrenDto })
  children(@Param('code') code: string, @Query() { on }: UnitOnQueryDto): UnitChildrenDto {
    const unit = this.requireUnit(code, on);
    return { code: unit.code, on, hierarchy: unit.hierarchy, children: this.units.children(unit.code, on).map(unitView) };
  }

  private requireUnit(code: string, on: string): AdminUnit {
    const unit = this.units.unit(code, on);
    if (!unit) throw unitNotFound('code', code, on);
    return unit;
  }

  private successorsOf(commune: AdminUnit): SuccessorDto[] {
    return this.units.successorsOf(commune.code).flatMap((successor) => {
      const unit = this.units.unitIn('2025', successor.newCommuneCode);
      const province = this.units.unitIn('2025', successor.newProvinceCode);
      if (!unit || !province) return [];
      return [{ code: unit.code, name: unit.name, provinceCode: province.code, provinceName: province.name, kind: successor.kind, primary: successor.primary }];
    });
  }

  private predecessorsOf(commune: AdminUnit): PredecessorDto[] {
    return this.units.predecessorsOf(commune.code).flatMap((predecessor) => {
      const unit = this.units.unitIn('pre-2025', predecessor.oldCommuneCode);
      if (!unit?.parentCode) return [];
      return [{ code: unit.code, name: unit.name, districtCode: unit.parentCode, provinceCode: unit.provinceCode, kind: predecessor.kind }];
    });
  }
}
