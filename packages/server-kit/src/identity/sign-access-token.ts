import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../domain/caller.js';

/** Claims of an access token that {@link JwtIdentity} understands. */
export interface AccessTokenClaims {
  /** User UUID. */
  sub: string;
  email?: string;
  name?: string;
  role?: Role;
}

export interface SignAccessTokenOptions {
  /**
   * Lifetime in seconds, counted from now. Default: 3600. A negative value makes a token that has
   * already expired, which tests use.
   */
  expiresIn?: number;
}

/** Default lifetime of a signed token: long enough for a demo session, short enough to leak less. */
export const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;

/**
 * Signs an HS256 access token with the shared secret, for tests, examples and the reference
 * server's token command. Real deployments get their tokens from the embedding platform.
 */
export function signAccessToken(
  secret: string,
  claims: AccessTokenClaims,
  options: SignAccessTokenOptions = {},
): string {
  const payload: Record<string, string> = { sub: claims.sub };
  // Only claims that are set, so that a token never carries `"email": null` and the like.
  if (claims.email !== undefined) payload.email = claims.email;
  if (claims.name !== undefined) payload.name = claims.name;
  if (claims.role !== undefined) payload.role = claims.role;
  return jwt.sign(payload, createSecretKey(Buffer.from(secret, 'utf8')), {
    algorithm: 'HS256',
    expiresIn: options.expiresIn ?? DEFAULT_ACCESS_TOKEN_SECONDS,
  });
}
