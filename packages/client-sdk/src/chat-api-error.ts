import {
  type ErrorCode,
  ErrorCodeSchema,
  type FieldErrorBody,
  FieldErrorBodySchema,
} from '@hirechat/protocol';
import { z } from 'zod';

/**
 * An error body as the SDK takes it: the protocol's ErrorBody, and also a `{"detail": ...}` whose
 * `code` is missing or unknown to this version of the SDK (from a proxy in front of the server, or
 * from a newer server), so that its detail is never lost.
 */
export type ReceivedErrorBody = { detail: string; code?: string } | FieldErrorBody;

const ReceivedErrorBodySchema = z.union([
  z.object({ detail: z.string(), code: z.string().optional() }),
  FieldErrorBodySchema,
]);

/** The error body in `value`, or null when it is none (an HTML page, say). */
export function asErrorBody(value: unknown): ReceivedErrorBody | null {
  const parsed = ReceivedErrorBodySchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A REST call the server answered with an error status. */
export class ChatApiError extends Error {
  override readonly name = 'ChatApiError';
  /**
   * What went wrong, as one of the protocol's error codes (contract, "Errors, continued"): the
   * `code` of a `{"detail": ..., "code": ...}` body, `invalid_input` for a field error body, and
   * null when the body carried none this SDK knows (an answer from a proxy, say).
   */
  readonly code: ErrorCode | null;

  constructor(
    readonly status: number,
    /** The server's error body: `{"detail": ..., "code": ...}` or `{"<field>": [...]}`. */
    readonly body: ReceivedErrorBody | null,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path} answered ${status}${describe(body)}`);
    this.code = codeOf(body);
  }
}

function codeOf(body: ReceivedErrorBody | null): ErrorCode | null {
  if (!body) return null;
  if (isDetail(body)) return ErrorCodeSchema.safeParse(body.code).data ?? null;
  return 'invalid_input';
}

function isDetail(body: ReceivedErrorBody): body is { detail: string; code?: string } {
  return typeof body.detail === 'string';
}

function describe(body: ReceivedErrorBody | null): string {
  if (!body) return '';
  if (isDetail(body)) return `: ${body.detail}`;
  return `: ${JSON.stringify(body)}`;
}
