import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { UuidSchema } from '@hirechat/protocol';
import jwt, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import { type Caller, ROLES, type Role } from '../domain/caller.js';
import { ChatError } from '../domain/chat-error.js';
import type { Identity, VerifiedToken } from '../ports/identity.js';

/** Asymmetric algorithms a public key may verify. */
export type PublicKeyAlgorithm = 'RS256' | 'ES256';

/** Tokens signed with a shared secret (HS256), as Django SimpleJWT issues them by default. */
export interface JwtSecretOptions {
  secret: string;
}

/** Tokens signed with a private key that only the issuing platform holds. */
export interface JwtPublicKeyOptions {
  /** PEM (SPKI or PKCS#1 public key, or an X.509 certificate). */
  publicKey: string;
  /**
   * Algorithms to accept. Default: `['RS256', 'ES256']`; a token whose algorithm does not fit the
   * key's type is refused either way.
   */
  algorithms?: PublicKeyAlgorithm[];
}

export type JwtIdentityOptions = JwtSecretOptions | JwtPublicKeyOptions;

const PUBLIC_KEY_ALGORITHMS: readonly PublicKeyAlgorithm[] = ['RS256', 'ES256'];

/**
 * Verifies access tokens issued by the embedding platform. The caller is the token's `sub`, or
 * `user_id` when `sub` is absent (Django SimpleJWT's claim), which must be a UUID; `email`, `name`
 * and `role` are taken when present and well formed.
 */
export class JwtIdentity implements Identity {
  private readonly key: KeyObject;
  // Pinned per key type so that neither `none` nor an HS token signed with the public key as its
  // secret (algorithm confusion) can ever pass.
  private readonly algorithms: Algorithm[];

  constructor(options: JwtIdentityOptions) {
    if ('secret' in options) {
      if (typeof options.secret !== 'string' || options.secret === '') {
        throw new TypeError('JwtIdentity: `secret` must be a non-empty string.');
      }
      // A KeyObject, not the string: jsonwebtoken would otherwise try the string as a PEM first.
      this.key = createSecretKey(Buffer.from(options.secret, 'utf8'));
      this.algorithms = ['HS256'];
      return;
    }
    try {
      this.key = createPublicKey(options.publicKey);
    } catch (error) {
      throw new TypeError(`JwtIdentity: \`publicKey\` is not a valid PEM public key (${String(error)}).`);
    }
    const algorithms = options.algorithms ?? PUBLIC_KEY_ALGORITHMS;
    const unknown = algorithms.filter((alg) => !PUBLIC_KEY_ALGORITHMS.includes(alg));
    if (algorithms.length === 0 || unknown.length > 0) {
      throw new TypeError(
        `JwtIdentity: \`algorithms\` must be a non-empty subset of ${PUBLIC_KEY_ALGORITHMS.join(', ')}.`,
      );
    }
    this.algorithms = [...algorithms];
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: string | JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: this.algorithms });
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw ChatError.of('unauthenticated', 'Token expired.');
      throw ChatError.of('unauthenticated', 'Invalid token.');
    }
    // A signed token whose payload is not a JSON object carries no claims we could trust.
    if (typeof payload === 'string') throw ChatError.of('unauthenticated', 'Invalid token.');

    const rawId: unknown = payload.sub ?? payload.user_id;
    if (rawId === undefined || rawId === null) throw ChatError.of('unauthenticated', 'Token has no user id.');
    const id = UuidSchema.safeParse(rawId);
    if (!id.success) throw ChatError.of('unauthenticated', 'Token user id is not a UUID.');

    const caller: Caller = {
      id: id.data.toLowerCase(),
      email: stringClaim(payload.email),
      name: stringClaim(payload.name),
      role: roleClaim(payload.role),
    };
    const expiresAt = typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null;
    return { caller, expiresAt };
  }
}

function stringClaim(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function roleClaim(value: unknown): Role | null {
  return (ROLES as readonly unknown[]).includes(value) ? (value as Role) : null;
}
