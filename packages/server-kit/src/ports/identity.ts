import type { Caller } from '../domain/caller.js';

export interface VerifiedToken {
  caller: Caller;
  /** When the token stops being valid (its `exp`), or null when it never does. */
  expiresAt: Date | null;
}

/** Turns an access token into a caller. */
export interface Identity {
  /** Rejects with a ChatError `not_authenticated` when the token is expired, badly signed or malformed. */
  verify(token: string): Promise<VerifiedToken>;
}
