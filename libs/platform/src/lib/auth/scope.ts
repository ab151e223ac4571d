import { ProblemError } from '../errors/problem';
import type { Principal } from './principal';

const outOfScope = (field: string, detail: string): ProblemError =>
  new ProblemError({ status: 403, code: 'OUT_OF_SCOPE', title: 'Out of scope', detail, field });

/**
 * A reporter may act only for its own team; an officer only for teams located in its province (and
 * commune, when its token names one), so for officers pass the team's unit; ministry and auditor
 * reach every team. Leaving out the unit for an officer is a programming error, never a silent pass.
 */
export function assertTeamAccess(
  principal: Principal,
  teamId: string,
  teamUnit?: { provinceCode: string; communeCode?: string },
  field = 'teamId',
): void {
  switch (principal.role) {
    case 'reporter':
      if (principal.teamId !== teamId) throw outOfScope(field, `a reporter of team ${principal.teamId} may not act for team ${teamId}`);
      return;
    case 'officer':
      if (teamUnit === undefined) throw new Error('assertTeamAccess needs the team unit to check an officer');
      if (principal.provinceCode !== teamUnit.provinceCode || (principal.communeCode !== undefined && principal.communeCode !== teamUnit.communeCode)) {
        throw outOfScope(field, `team ${teamId} is outside the officer's ${principal.communeCode === undefined ? `province ${principal.provinceCode}` : `commune ${principal.communeCode}`}`);
      }
      return;
    case 'ministry':
    case 'auditor':
      return;
    default: {
      const unknownRole: never = principal.role;
      throw outOfScope(field, `unknown role ${String(unknownRole)}`);
    }
  }
}

/**
 * An officer reaches only units of its province, and of its commune when the token names one;
 * a reporter reaches no unit directly; ministry and auditor reach every unit.
 */
export function assertUnitAccess(
  principal: Principal,
  unit: { provinceCode: string; communeCode?: string },
  fields: { provinceCode?: string; communeCode?: string } = {},
): void {
  const provinceField = fields.provinceCode ?? 'provinceCode';
  const communeField = fields.communeCode ?? 'communeCode';
  switch (principal.role) {
    case 'ministry':
    case 'auditor':
      return;
    case 'reporter':
      throw outOfScope(provinceField, 'a reporter acts only through its own team');
    case 'officer':
      if (principal.provinceCode !== unit.provinceCode) {
        throw outOfScope(provinceField, `an officer of province ${principal.provinceCode} may not reach province ${unit.provinceCode}`);
      }
      if (principal.communeCode !== undefined && principal.communeCode !== unit.communeCode) {
        throw outOfScope(communeField, `an officer of commune ${principal.communeCode} may not reach ${unit.communeCode === undefined ? 'the whole province' : `commune ${unit.communeCode}`}`);
      }
      return;
    default: {
      const unknownRole: never = principal.role;
      throw outOfScope(provinceField, `unknown role ${String(unknownRole)}`);
    }
  }
}
