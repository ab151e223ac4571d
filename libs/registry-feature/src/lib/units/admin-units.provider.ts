import type { Provider } from '@nestjs/common';
import { loadAdminUnits, type AdminUnit, type AdminUnits } from '@cdt/admin-units';
import { ProblemError } from '@cdt/platform';

/** The official unit lists of both hierarchies (AdminUnits), loaded once at start-up. */
export const ADMIN_UNITS = Symbol('ADMIN_UNITS');

export const adminUnitsProvider: Provider = { provide: ADMIN_UNITS, useFactory: (): AdminUnits => loadAdminUnits() };

export const unitNotFound = (field: string, code: string, on: string): ProblemError =>
  new ProblemError({ status: 404, code: 'UNIT_NOT_FOUND', title: 'Unit not found', detail: `${code} is no unit of its hierarchy on ${on}`, field });

/** The commune valid on that day, or 404 UNIT_NOT_FOUND naming the field. */
export function requireCommune(units: AdminUnits, code: string, on: string, field = 'communeCode'): AdminUnit {
  const unit = units.unit(code, on);
  if (unit?.level !== 'commune') throw unitNotFound(field, code, on);
  return unit;
}

/**
 * Where a unit sits in today's (2025) hierarchy: officers' tokens name today's provinces and
 * communes. A pre-2025 commune maps through the official mapping (a split one to its primary
 * successor); anything unmapped keeps its own codes.
 */
export function todaysPlaceOf(units: AdminUnits, communeCode: string, since: string): { provinceCode: string; communeCode: string } {
  const unit = units.unit(communeCode, since);
  if (unit?.hierarchy === '2025') return { provinceCode: unit.provinceCode, communeCode: unit.code };
  const current = units.currentUnitFor(communeCode);
  if (current) return { provinceCode: current.unit.provinceCode, communeCode: current.unit.code };
  return { provinceCode: unit?.provinceCode ?? '', communeCode };
}
