import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { isStorableText, UuidSchema } from '@hirechat/protocol';
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

/** Rules every token must meet, whatever signs it. */
export interface JwtClaimOptions {
  /**
   * Refuse tokens without an `exp` claim (contract, "Identity, continued"), since such a token,
   * once leaked, works forever. Default true; false accepts them, for platforms that issue tokens
   * without expiry (the reference server's `JWT_REQUIRE_EXP=false`).
   */
  requireExp?: boolean;
}

export type JwtIdentityOptions = (JwtSecretOptions | JwtPublicKeyOptions) & JwtClaimOptions;

/** `token_type` of the tokens a client may use (SimpleJWT's claim); any other kind is refused. */
const ACCESS_TOKEN_TYPE = 'access';

const PUBLIC_KEY_ALGORITHMS: readonly PublicKeyAlgorithm[] = ['RS256', 'ES256'];

/** How many verified tokens are remembered before the memory starts over (a few MB at most). */
const MAX_REMEMBERED_TOKENS = 10_000;

interface RememberedToken {
  verified: VerifiedToken;
  /** The token's `exp` in seconds, as jsonwebtoken compares it; undefined for a token without one. */
  exp: number | undefined;
}

/**
 * Verifies access tokens issued by the embedding platform. The caller is the token's `sub`, or
 * `user_id` when `sub` is absent (Django SimpleJWT's claim), which must be a UUID; `email`, `name`
 * and `role` are taken when present and well formed. Only access tokens pass (contract, "Identity,
 * continued"): a `token_type` other than `access` (SimpleJWT's refresh tokens say `refresh`) is
 * refused like a badly signed token, and so is a token without `exp` unless `requireExp` is false.
 */
export class JwtIdentity implements Identity {
  private readonly key: KeyObject;
  // Pinned per key type so that neither `none` nor an HS token signed with the public key as its
  // secret (algorithm confusion) can ever pass.
  private readonly algorithms: Algorithm[];
  /**
   * Tokens verified before, by their exact text. A client sends the same token with every request
   * until it refreshes it, and checking its signature again each time was a few percent of the
   * server's time under REST load (`npm run bench -- --cpu-prof`). A token's answer can only change
   * with the clock, so a remembered one is checked against its `exp` exactly as jsonwebtoken does.
   */
  private readonly remembered = new Map<string, RememberedToken>();
  private readonly requireExp: boolean;

  constructor(options: JwtIdentityOptions) {
    this.requireExp = options.requireExp ?? true;
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
    const known = this.remembered.get(token);
    if (known) {
      if (known.exp === undefined || Math.floor(Date.now() / 1000) < known.exp) return copyOf(known.verified);
      this.remembered.delete(token);
      throw ChatError.of('not_authenticated', 'Token expired.');
    }
    const fresh = this.verifyAnew(token);
    if (this.remembered.size >= MAX_REMEMBERED_TOKENS) this.remembered.clear();
    this.remembered.set(token, { verified: copyOf(fresh.verified), exp: fresh.exp });
    return fresh.verified;
  }

  private verifyAnew(token: string): RememberedToken {
    let payload: string | JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: this.algorithms });
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw ChatError.of('not_authenticated', 'Token expired.');
      throw ChatError.of('not_authenticated', 'Invalid token.');
    }
    // A signed token whose payload is not a JSON object carries no claims we could trust.
    if (typeof payload === 'string') throw ChatError.of('not_authenticated', 'Invalid token.');
    // A refresh token (or any other kind) is signed with the same key, so its signature proves
    // nothing about what it may be used for.
    if (payload.token_type !== undefined && payload.token_type !== ACCESS_TOKEN_TYPE) {
      throw ChatError.of('not_authenticated', 'Invalid token.');
    }
    if (this.requireExp && payload.exp === undefined) {
      throw ChatError.of('not_authenticated', 'Token has no expiry (exp).');
    }

    const rawId: unknown = payload.sub ?? payload.user_id;
    if (rawId === undefined || rawId === null)
      throw ChatError.of('not_authenticated', 'Token has no user id.');
    const id = UuidSchema.safeParse(rawId);
    if (!id.success) throw ChatError.of('not_authenticated', 'Token user id is not a UUID.');

    const caller: Caller = {
      id: id.data.toLowerCase(),
      email: stringClaim(payload.email),
      name: stringClaim(payload.name),
      role: roleClaim(payload.role),
    };
    const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
    return { verified: { caller, expiresAt: exp === undefined ? null : new Date(exp * 1000) }, exp };
  }
}

/** A copy, so that no caller can change what is remembered. */
function copyOf({ caller, expiresAt }: VerifiedToken): VerifiedToken {
  return { caller: { ...caller }, expiresAt: expiresAt === null ? null : new Date(expiresAt.getTime()) };
}

/**
 * A text claim (email, name), or null when it is not text a server can keep as it is (not a
 * string, or holding NUL or an unpaired surrogate: PostgreSQL refused to store it, and the user's
 * every write failed with it): the claim is left out, as an absent one is.
 */
function stringClaim(value: unknown): string | null {
  return typeof value === 'string' && isStorableText(value) ? value : null;
}

function roleClaim(value: unknown): Role | null {
  return (ROLES as readonly unknown[]).includes(value) ? (value as Role) : null;
}
