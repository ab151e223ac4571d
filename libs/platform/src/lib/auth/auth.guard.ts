import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PlatformRequest } from '../http/request';
import { ALLOWED_ROLES, IS_PUBLIC, forbidden } from './decorators';
import type { Role } from './principal';
import { TOKEN_VERIFIER, TokenVerifier } from './token-verifier';

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(); @Roles narrows who
 * may call. The verified principal is put on the request for @CurrentPrincipal().
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return true;
    const req = context.switchToHttp().getRequest<PlatformRequest>();
    const principal = await this.verifier.verifyAuthorizationHeader(req.headers.authorization);
    req.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (allowed !== undefined && !allowed.includes(principal.role)) {
      throw forbidden(`the role ${principal.role} may not call this; allowed: ${allowed.join(', ')}`);
    }
    return true;
  }
}
