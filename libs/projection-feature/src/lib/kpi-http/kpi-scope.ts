import { assertTeamAccess, assertUnitAccess, ProblemError, type Principal } from '@cdt/platform';
import type { KpiUnit } from './kpi-units';

const outOfScope = (field: string, detail: string): ProblemError =>
  new ProblemError({ status: 403, code: 'OUT_OF_SCOPE', title: 'Out of scope', detail, field });

/**
 * Who may read which unit's KPIs (docs/api/v1-kpi.md):
 * - ministry and auditor: every unit;
 * - officer: units of its province on today's map (an old district or commune counts where it lies
 *   today), and only its commune and what is under it when its token names a commune; never the nation;
 * - reporter: its own team only, the figures it produced itself.
 */
export function assertKpiAccess(principal: Principal, unit: KpiUnit, field = 'unitCode'): void {
  switch (principal.role) {
    case 'ministry':
    case 'auditor':
      return;
    case 'reporter':
      if (unit.level === 'team' && unit.unitKey === principal.teamId) return;
      throw outOfScope(field, `a reporter reads only its own team's figures (team ${principal.teamId})`);
    case 'officer': {
      if (unit.level === 'nation') throw outOfScope(field, `an officer of province ${principal.provinceCode} may not read the national figures`);
      const provinceCode = unit.place.provinceCode ?? '';
      if (unit.level === 'team') {
        assertTeamAccess(principal, unit.unitKey, { provinceCode, communeCode: unit.place.communeCode }, field);
        return;
      }
      assertUnitAccess(principal, { provinceCode, communeCode: unit.place.communeCode }, { provinceCode: field, communeCode: field });
      return;
    }
    default: {
      const unknownRole: never = principal.role;
      throw outOfScope(field, `unknown role ${String(unknownRole)}`);
    }
  }
}
