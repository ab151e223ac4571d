import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SignJWT } from 'jose';
import { CdtConfig, loadConfig } from '../config/config';
import { ProblemError } from '../errors/problem';
import { AuthGuard } from './auth.guard';
import { Public, Roles } from './decorators';
import { DevTokens, devTokensForAllRoles } from './dev-tokens';
import type { Principal } from './principal';
import { assertTeamAccess, assertUnitAccess } from './scope';
import { TokenVerifier } from './token-verifier';

const SECRET = 's'.repeat(40);

@Controller()
class ProbeController {
  @Public() @Get() open(): string {
    return 'open';
  }
  @Get() anyRole(): string {
    return 'anyRole';
  }
  @Roles('officer', 'ministry') @Get() officersOnly(): string {
    return 'officersOnly';
  }
}

@Roles('ministry')
@Controller()
class MinistryController {
  @Get() byClass(): string {
    return 'byClass';
  }
  @Roles('auditor') @Get() overridden(): string {
    return 'overridden';
  }
}

describe('bearer authentication', () => {
  let dataDir: string;
  let config: CdtConfig;
  let verifier: TokenVerifier;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cdt-auth-'));
    config = loadConfig({ CDT_DATA_DIR: dataDir, CDT_JWT_SECRET: SECRET });
    verifier = new TokenVerifier(config.jwt);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const failureOf = async (attempt: Promise<unknown>): Promise<ProblemError['problem']> => {
    try {
      await attempt;
    } catch (error) {
      if (error instanceof ProblemError) return error.problem;
      throw error;
    }
    throw new Error('expected a refusal');
  };
  const sign = (claims: Record<string, unknown>, edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt, secret = SECRET): Promise<string> =>
    edit(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('cdt-ledger').setAudience('cdt-ledger'))
      .sign(new TextEncoder().encode(secret));

  describe('TokenVerifier', () => {
    it('accepts a valid token and reads the principal from it', async () => {
      const token = await DevTokens.issue(config, { subject: 'u1', role: 'officer', provinceCode: '82', communeCode: '29470' }, 60);
      expect(await verifier.verifyAuthorizationHeader(`Bearer ${token}`)).toEqual<Principal>({
        subject: 'u1',
        role: 'officer',
        provinceCode: '82',
        communeCode: '29470',
      });
    });

    it('refuses a missing or malformed Authorization header', async () => {
      expect(await failureOf(verifier.verifyAuthorizationHeader(undefined))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', detail: expect.stringMatching(/no Authorization header/) });
      expect(await failureOf(verifier.verifyAuthorizationHeader('Basic dTpw'))).toMatchObject({ status: 401, detail: 'the Authorization header must be "Bearer <token>"' });
      expect(await failureOf(verifier.verifyAuthorizationHeader('Bearer not.a.jwt'))).toMatchObject({ status: 401, detail: 'the token is not a valid JWT' });
    });

    it('refuses an expired token', async () => {
      const token = await DevTokens.issue(config, { subject: 'u1', role: 'ministry' }, -10);
      expect(await failureOf(verifier.verify(token))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', detail: 'the token has expired' });
    });

    it('refuses a token signed with another secret', async () => {
      const token = await sign({ sub: 'u1', role: 'ministry' }, (jwt) => jwt.setExpirationTime('1m'), 'o'.repeat(40));
      expect(await failureOf(verifier.verify(token))).toMatchObject({ status: 401, detail: 'the token signature does not verify' });
    });

    it('refuses a token for another audience or from another issuer', async () => {
      const otherAudience = await sign({ sub: 'u1', role: 'ministry' }, (jwt) => jwt.setAudience('other').setExpirationTime('1m'));
      const otherIssuer = await sign({ sub: 'u1', role: 'ministry' }, (jwt) => jwt.setIssuer('other').setExpirationTime('1m'));
      expect(await failureOf(verifier.verify(otherAudience))).toMatchObject({ status: 401, detail: 'the token is not meant for this audience' });
      expect(await failureOf(verifier.verify(otherIssuer))).toMatchObject({ status: 401, detail: 'the token was not issued by the expected issuer' });
    });

    it('refuses a token without exp, sub or a known role', async () => {
      expect(await failureOf(verifier.verify(await sign({ sub: 'u1', role: 'ministry' })))).toMatchObject({ status: 401, detail: 'the token has no "exp" claim' });
      expect(await failureOf(verifier.verify(await sign({ role: 'ministry' }, (jwt) => jwt.setExpirationTime('1m'))))).toMatchObject({ status: 401, detail: 'the token has no "sub" claim' });
      expect(await failureOf(verifier.verify(await sign({ sub: 'u1', role: 'admin' }, (jwt) => jwt.setExpirationTime('1m'))))).toMatchObject({
        status: 401,
        detail: 'the token claim "role" must be one of reporter, officer, ministry, auditor',
      });
    });

    it('refuses a reporter without teamId and an officer without provinceCode', async () => {
      const reporter = await sign({ sub: 'u1', role: 'reporter' }, (jwt) => jwt.setExpirationTime('1m'));
      const officer = await sign({ sub: 'u1', role: 'officer', communeCode: '29470' }, (jwt) => jwt.setExpirationTime('1m'));
      expect(await failureOf(verifier.verify(reporter))).toMatchObject({ status: 401, detail: 'a reporter token must carry the "teamId" claim' });
      expect(await failureOf(verifier.verify(officer))).toMatchObject({ status: 401, detail: 'an officer token must carry the "provinceCode" claim' });
    });

    it('refuses an unsigned token (alg none)', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ sub: 'u1', role: 'ministry', iss: 'cdt-ledger', aud: 'cdt-ledger', exp: 4_000_000_000 })).toString('base64url');
      expect(await failureOf(verifier.verify(`${header}.${payload}.`))).toMatchObject({ status: 401 });
    });
  });

  describe('AuthGuard', () => {
    const contextFor = (controller: object, handler: string, authorization?: string): { context: ExecutionContext; req: { headers: Record<string, string>; principal?: Principal } } => {
      const req: { headers: Record<string, string>; principal?: Principal } = { headers: authorization === undefined ? {} : { authorization } };
      const prototype = Object.getPrototypeOf(controller) as Record<string, unknown>;
      const context = {
        getType: () => 'http',
        getHandler: () => prototype[handler],
        getClass: () => controller.constructor,
        switchToHttp: () => ({ getRequest: () => req }),
      } as unknown as ExecutionContext;
      return { context, req };
    };
    const guard = (): AuthGuard => new AuthGuard(new Reflector(), verifier);
    const bearer = async (principal: Principal): Promise<string> => `Bearer ${await DevTokens.issue(config, principal, 60)}`;

    it('lets @Public() routes through without a token', async () => {
      expect(await guard().canActivate(contextFor(new ProbeController(), 'open').context)).toBe(true);
    });

    it('requires a token everywhere else, and puts the principal on the request', async () => {
      expect(await failureOf(guard().canActivate(contextFor(new ProbeController(), 'anyRole').context))).toMatchObject({ status: 401 });
      const { context, req } = contextFor(new ProbeController(), 'anyRole', await bearer({ subject: 'a', role: 'auditor' }));
      expect(await guard().canActivate(context)).toBe(true);
      expect(req.principal).toEqual({ subject: 'a', role: 'auditor' });
    });

    it('answers 403 FORBIDDEN to a role that @Roles does not allow', async () => {
      const reporter = await bearer({ subject: 'r', role: 'reporter', teamId: 't1' });
      expect(await failureOf(guard().canActivate(contextFor(new ProbeController(), 'officersOnly', reporter).context))).toMatchObject({
        status: 403,
        code: 'FORBIDDEN',
        detail: 'the role reporter may not call this; allowed: officer, ministry',
      });
      const officer = await bearer({ subject: 'o', role: 'officer', provinceCode: '82' });
      expect(await guard().canActivate(contextFor(new ProbeController(), 'officersOnly', officer).context)).toBe(true);
    });

    it('takes @Roles from the class unless the handler overrides it', async () => {
      const ministry = await bearer({ subject: 'm', role: 'ministry' });
      const auditor = await bearer({ subject: 'a', role: 'auditor' });
      expect(await guard().canActivate(contextFor(new MinistryController(), 'byClass', ministry).context)).toBe(true);
      expect(await failureOf(guard().canActivate(contextFor(new MinistryController(), 'byClass', auditor).context))).toMatchObject({ status: 403 });
      expect(await guard().canActivate(contextFor(new MinistryController(), 'overridden', auditor).context)).toBe(true);
      expect(await failureOf(guard().canActivate(contextFor(new MinistryController(), 'overridden', ministry).context))).toMatchObject({ status: 403 });
    });
  });

  it('issues a dev token per role that the verifier accepts', async () => {
    const tokens = await devTokensForAllRoles(config, { teamId: 't1', provinceCode: '82' }, 60);
    const principals = await Promise.all(Object.values(tokens).map((token) => verifier.verify(token)));
    expect(principals.map((principal) => principal.role)).toEqual(['reporter', 'officer', 'ministry', 'auditor']);
    expect(principals[0]).toMatchObject({ teamId: 't1' });
    expect(principals[1]).toMatchObject({ provinceCode: '82' });
  });
});

describe('scope helpers', () => {
  const reporter: Principal = { subject: 'r', role: 'reporter', teamId: 't1' };
  const officer: Principal = { subject: 'o', role: 'officer', provinceCode: '82' };
  const communeOfficer: Principal = { subject: 'c', role: 'officer', provinceCode: '82', communeCode: '29470' };
  const ministry: Principal = { subject: 'm', role: 'ministry' };
  const auditor: Principal = { subject: 'a', role: 'auditor' };

  const refusal = (check: () => void): ProblemError['problem'] | undefined => {
    try {
      check();
      return undefined;
    } catch (error) {
      if (error instanceof ProblemError) return error.problem;
      throw error;
    }
  };

  it('keeps a reporter to its own team', () => {
    expect(refusal(() => assertTeamAccess(reporter, 't1'))).toBeUndefined();
    expect(refusal(() => assertTeamAccess(reporter, 't2'))).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE', errors: [{ field: 'teamId' }] });
  });

  it('keeps an officer to teams of its province (and commune), by the team unit', () => {
    expect(refusal(() => assertTeamAccess(officer, 't9', { provinceCode: '82', communeCode: '1' }))).toBeUndefined();
    expect(refusal(() => assertTeamAccess(officer, 't9', { provinceCode: '79' }))).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
    expect(refusal(() => assertTeamAccess(communeOfficer, 't9', { provinceCode: '82', communeCode: '29470' }))).toBeUndefined();
    expect(refusal(() => assertTeamAccess(communeOfficer, 't9', { provinceCode: '82', communeCode: '29471' }))).toMatchObject({ status: 403 });
    expect(() => assertTeamAccess(officer, 't9')).toThrow('assertTeamAccess needs the team unit to check an officer');
  });

  it('lets ministry and auditor reach every team and unit', () => {
    for (const principal of [ministry, auditor]) {
      expect(refusal(() => assertTeamAccess(principal, 'any'))).toBeUndefined();
      expect(refusal(() => assertUnitAccess(principal, { provinceCode: '01' }))).toBeUndefined();
    }
  });

  it('keeps an officer to its province and commune, naming the field at fault', () => {
    expect(refusal(() => assertUnitAccess(officer, { provinceCode: '82' }))).toBeUndefined();
    expect(refusal(() => assertUnitAccess(officer, { provinceCode: '82', communeCode: '29470' }))).toBeUndefined();
    expect(refusal(() => assertUnitAccess(officer, { provinceCode: '79' }, { provinceCode: 'unitCode' }))).toMatchObject({
      status: 403,
      code: 'OUT_OF_SCOPE',
      errors: [{ field: 'unitCode' }],
    });
    expect(refusal(() => assertUnitAccess(communeOfficer, { provinceCode: '82' }))).toMatchObject({ errors: [{ field: 'communeCode' }] });
    expect(refusal(() => assertUnitAccess(communeOfficer, { provinceCode: '82', communeCode: '29471' }))).toMatchObject({ status: 403 });
    expect(refusal(() => assertUnitAccess(reporter, { provinceCode: '82' }))).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
  });
});
