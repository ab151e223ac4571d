import { ProblemError } from '../errors/problem';

export const ROLES = ['reporter', 'officer', 'ministry', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, from a verified token. Reporters are bound to a team, officers to a province. */
export interface Principal {
  subject: string;
  role: Role;
  teamId?: string;
  provinceCode?: string;
  communeCode?: string;
}

const unauthenticated = (detail: string): ProblemError => new ProblemError({ status: 401, code: 'UNAUTHENTICATED', title: 'Unauthenticated', detail });

/** Reads the principal from verified JWT claims; a token missing what its role needs is refused. */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const text = (name: string): string | undefined => {
    const value = claims[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw unauthenticated(`the token claim "${name}" must be a non-empty string`);
    return value;
  };
  const subject = text('sub');
  if (subject === undefined) throw unauthenticated('the token has no "sub" claim');
  const role = claims['role'];
  if (!ROLES.some((known) => known === role)) throw unauthenticated(`the token claim "role" must be one of ${ROLES.join(', ')}`);
  const principal: Principal = { subject, role: role as Role };
  const teamId = text('teamId');
  const provinceCode = text('provinceCode');
  const communeCode = text('communeCode');
  if (principal.role === 'reporter' && teamId === undefined) throw unauthenticated('a reporter token must carry the "teamId" claim');
  if (principal.role === 'officer' && provinceCode === undefined) throw unauthenticated('an officer token must carry the "provinceCode" claim');
  if (teamId !== undefined) principal.teamId = teamId;
  if (provinceCode !== undefined) principal.provinceCode = provinceCode;
  if (communeCode !== undefined) principal.communeCode = communeCode;
  return principal;
}
