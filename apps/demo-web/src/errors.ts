import { ChatApiError, type ErrorCode } from '@hirechat/client-sdk';

/** What a person is told, by the error's code (`ChatApiError.code`), where the server's detail would not do. */
export type Wording = Partial<Record<ErrorCode, string>>;

/**
 * Said whatever was being done. The server's details for these are about requests and databases;
 * a person wants to know what happened to them and what to do. `forbidden` and `not_found` depend
 * on what was being done, so their words come from the caller.
 */
const COMMON_WORDING: Wording = {
  not_authenticated: 'Your sign-in has expired: sign out and sign in again.',
  rate_limited: 'That was a lot at once: wait a moment, then try again.',
  payload_too_large: 'That file is too large to send.',
  request_timeout: 'The connection was too slow to send that: try again.',
  unavailable: 'The chat server is having trouble right now: try again in a moment.',
  internal: 'Something went wrong on the chat server: try again.',
};

/**
 * One line for a person about a failed call: `wording` or the common words for its code, else the
 * server's `detail` or its field errors, else the error's message. An error body without a code
 * this app knows (a proxy's error page) is told by its status.
 */
export function describeError(error: unknown, wording: Wording = {}): string {
  if (!(error instanceof ChatApiError)) return error instanceof Error ? error.message : String(error);
  const words = error.code && (wording[error.code] ?? COMMON_WORDING[error.code]);
  if (words) return words;
  const { body } = error;
  if (!body) return `The chat server could not be reached properly (${error.status}): try again.`;
  if ('detail' in body && typeof body.detail === 'string') return body.detail;
  return Object.entries(body)
    .map(([field, messages]) => `${field}: ${([] as string[]).concat(messages).join(' ')}`)
    .join('; ');
}
