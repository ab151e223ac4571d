import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import { ProblemError } from '../errors/problem';
import type { PlatformRequest } from '../http/request';
import type { Principal, Role } from './principal';

export const IS_PUBLIC = 'cdt:public';
export const ALLOWED_ROLES = 'cdt:roles';

/** No token needed (health, metrics). Everything else requires a valid bearer token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call; others get 403 FORBIDDEN. On a class or a handler (the handler wins). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ALLOWED_ROLES, roles);

/** The verified caller: `@CurrentPrincipal() principal: Principal`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<PlatformRequest>().principal;
  // Only reachable on a @Public() route: a programming error, not the caller's.
  if (principal === undefined) throw new Error('@CurrentPrincipal() used on a route without authentication');
  return principal;
});

export const forbidden = (detail: string): ProblemError => new ProblemError({ status: 403, code: 'FORBIDDEN', title: 'Forbidden', detail });
