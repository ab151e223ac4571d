import { SignJWT } from 'jose';
import type { CdtConfig } from '../config/config';
import { ROLES, Role } from './principal';

export interface DevClaims {
  subject: string;
  role: Role;
  teamId?: string;
  provinceCode?: string;
  communeCode?: string;
}

/** Signs tokens with the configured HS256 secret: for embedded mode, tests and the simulator. */
export const DevTokens = {
  async issue(config: CdtConfig, claims: DevClaims, ttlSeconds = 3600): Promise<string> {
    if (config.jwt.kind !== 'secret') throw new Error('dev tokens need an HS256 secret (CDT_JWT_SECRET or embedded mode), not a JWKS URL');
    const { subject, ...rest } = claims;
    const body = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
    return new SignJWT(body)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(subject)
      .setIssuer(config.jwt.issuer)
      .setAudience(config.jwt.audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(config.jwt.secret);
  },
};

/** One token per role: the reporter bound to `teamId`, the officer to the province (and commune). */
export async function devTokensForAllRoles(
  config: CdtConfig,
  scope: { teamId?: string; provinceCode: string; communeCode?: string },
  ttlSeconds = 3600,
): Promise<Record<Role, string>> {
  const claimsOf: Record<Role, DevClaims> = {
    reporter: { subject: 'dev-reporter', role: 'reporter', teamId: scope.teamId ?? 'dev-team', provinceCode: scope.provinceCode, communeCode: scope.communeCode },
    officer: { subject: 'dev-officer', role: 'officer', provinceCode: scope.provinceCode, communeCode: scope.communeCode },
    ministry: { subject: 'dev-ministry', role: 'ministry' },
    auditor: { subject: 'dev-auditor', role: 'auditor' },
  };
  const tokens = await Promise.all(ROLES.map(async (role) => [role, await DevTokens.issue(config, claimsOf[role], ttlSeconds)] as const));
  return Object.fromEntries(tokens) as Record<Role, string>;
}
