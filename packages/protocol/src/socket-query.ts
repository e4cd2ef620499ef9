import { z } from 'zod';

/** `?since=latest`: follow the room from now on; the server answers `synced` with its newest seq. */
export const SINCE_LATEST = 'latest';

/** Where a resuming socket starts: after this seq (0: from the room's first event), or `latest`. */
export type Since = number | typeof SINCE_LATEST;

const SINCE_PROBLEM = `Must be a whole number of 0 or more, or "${SINCE_LATEST}".`;

/**
 * Additive: the room socket's `?since=` query parameter. With it, the server first sends every
 * logged event after that seq, in order (or `resync_required` when its log no longer reaches that
 * far back), then the room's current `typing` set, then `synced`, then live events, with no event
 * twice and none missing. Without it, the socket behaves as the seed's did: live events only.
 */
export const SinceParamSchema = z.string().transform((value, ctx): Since => {
  if (value === SINCE_LATEST) return SINCE_LATEST;
  // At most 15 digits: every such number is a safe integer.
  if (/^\d{1,15}$/.test(value)) return Number(value);
  ctx.addIssue({ code: 'custom', message: SINCE_PROBLEM });
  return z.NEVER;
});
