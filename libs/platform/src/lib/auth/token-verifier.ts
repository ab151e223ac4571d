import { JWTVerifyGetKey, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JwtConfig } from '../config/config';
import { ProblemError } from '../errors/problem';
import { Principal, principalFromClaims } from './principal';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');

/** Asymmetric algorithms an identity provider's JWKS may sign with; `none` and HMAC are excluded. */
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const unauthenticated = (detail: string): ProblemError => new ProblemError({ status: 401, code: 'UNAUTHENTICATED', title: 'Unauthenticated', detail });

/** Verifies a compact JWT (signature, iss, aud, exp required) and reads the principal from it. */
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(private readonly config: JwtConfig) {
    if (config.kind === 'secret') {
      this.key = config.secret;
      this.algorithms = ['HS256'];
    } else {
      this.key = createRemoteJWKSet(new URL(config.jwksUrl));
      this.algorithms = JWKS_ALGORITHMS;
    }
  }

  async verify(token: string): Promise<Principal> {
    let payload: Record<string, unknown>;
    try {
      const options = { issuer: this.config.issuer, audience: this.config.audience, algorithms: this.algorithms, requiredClaims: ['exp', 'sub'] };
      // The two overloads of jwtVerify differ only in the key's type.
      const result = typeof this.key === 'function' ? await jwtVerify(token, this.key, options) : await jwtVerify(token, this.key, options);
      payload = result.payload;
    } catch (error) {
      throw unauthenticated(reasonOf(error));
    }
    return principalFromClaims(payload);
  }

  /** Reads `Authorization: Bearer <jwt>`; anything else is a 401 that says what was wrong. */
  async verifyAuthorizationHeader(header: string | undefined): Promise<Principal> {
    if (header === undefined || header.trim() === '') throw unauthenticated('the request has no Authorization header: send "Authorization: Bearer <token>"');
    const match = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(header);
    if (match === null) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    return this.verify(match[1]);
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return `the token is not meant for this audience`;
    if (error.claim === 'iss') return `the token was not issued by the expected issuer`;
    if (error.reason === 'missing') return `the token has no "${error.claim}" claim`;
    return `the token claim "${error.claim}" is invalid`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this service does not accept';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the identity provider matches the token';
  if (error instanceof errors.JWKSTimeout) return 'the identity provider did not answer in time';
  return 'the token is not a valid JWT';
}
