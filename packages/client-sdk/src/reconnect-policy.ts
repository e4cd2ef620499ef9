import { CloseCode, type ErrorCode } from '@hirechat/protocol';

/** How a live room waits between connection attempts. */
export interface ReconnectOptions {
  /** The ceiling of the first wait, doubled after each failed attempt. Default 500 ms. */
  baseDelayMs?: number;
  /** The ceiling of any wait. Default 30 s. */
  maxDelayMs?: number;
}

export const DEFAULT_RECONNECT: Required<ReconnectOptions> = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * How long to wait before connection attempt `attempt` (0 for the first after a drop): capped
 * exponential backoff with "equal jitter", half of the ceiling plus a random part of the other
 * half. The floor keeps a dead server from being hammered; the random half spreads the clients
 * that one restart dropped at the same moment, also once the ceiling is reached.
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions = {},
  random: () => number = Math.random,
): number {
  const { baseDelayMs, maxDelayMs } = { ...DEFAULT_RECONNECT, ...options };
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** What a live room does when its socket closes with a code. */
export type CloseAction =
  /** Connect again after a backoff. */
  | { kind: 'retry' }
  /** Ask the token function for a fresh token, and connect again at once. */
  | { kind: 'refresh' }
  /** Never connect again: the caller may not follow this room. */
  | { kind: 'stop'; code: ErrorCode; detail: string };

/**
 * The close codes decide: 4401 (the token expired or is bad) refreshes the token, 4403 (not a
 * participant) and 4404 (no such room) stop for good, anything else (a drop, a restart, 1011) retries.
 * A token given as a string cannot be refreshed, so 4401 stops too.
 */
export function closeAction(code: number, reason: string, canRefreshToken: boolean): CloseAction {
  switch (code) {
    case CloseCode.Unauthorized:
      return canRefreshToken
        ? { kind: 'refresh' }
        : { kind: 'stop', code: 'not_authenticated', detail: reason || 'The access token was refused.' };
    case CloseCode.Forbidden:
      return { kind: 'stop', code: 'forbidden', detail: reason || 'You are not in this chat room.' };
    case CloseCode.NotFound:
      return { kind: 'stop', code: 'not_found', detail: reason || 'No such chat room.' };
    default:
      return { kind: 'retry' };
  }
}
