import { z } from 'zod';

/**
 * Every error code the server can send, over REST (mapped to an HTTP status) or in a WebSocket
 * `error` event.
 */
export const ErrorCodes = [
  /** A field is missing, of the wrong type, or breaks a rule; the body names the field. */
  'invalid_input',
  /** A WebSocket frame was not JSON. */
  'invalid_json',
  /** A WebSocket event had a `type` the server does not know. */
  'unknown_event',
  /**
   * No credentials, or credentials that are expired, badly signed, malformed, or not an access
   * token (contract, "Identity, continued"). Named as Django REST Framework names it.
   */
  'not_authenticated',
  /** Signed in, but not allowed to do this. */
  'forbidden',
  /** No such thing, or one the caller may not see. */
  'not_found',
  'method_not_allowed',
  /** The request (its body, usually) did not arrive within its deadline; the connection is closed. */
  'request_timeout',
  'payload_too_large',
  /** The URL or the request's headers are past the server's size limit (Node's, 16 KB). */
  'headers_too_large',
  /**
   * The server's `beforeMessage` hook refused the message (a moderation rule, say); `detail` says
   * why, in the hook's words. Nothing was stored.
   */
  'message_rejected',
  'unsupported_media_type',
  'rate_limited',
  /** The server cannot reach its database or broker right now; try again. */
  'unavailable',
  /** The server failed; the request may be retried. */
  'internal',
] as const;

export const ErrorCodeSchema = z.enum(ErrorCodes);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/**
 * Request-level error body, as Django REST Framework writes it, `{"detail": "..."}`, with the
 * error's code beside it (contract, "Errors, continued"): `{"detail": "Not found.", "code":
 * "not_found"}`. Clients of the original service read `detail` and may ignore `code`.
 */
export const DetailErrorBodySchema = z.object({ detail: z.string(), code: ErrorCodeSchema });
export type DetailErrorBody = z.infer<typeof DetailErrorBodySchema>;

/**
 * Field error body, as Django REST Framework writes it: `{"<field>": ["...", ...]}`. Errors that
 * belong to no single field are listed under `non_field_errors`. It carries no `code` (a field
 * could be named `code`): its code is always `invalid_input`, and its status 400.
 */
export const FieldErrorBodySchema = z.record(z.string(), z.array(z.string()));
export type FieldErrorBody = z.infer<typeof FieldErrorBodySchema>;

export const NON_FIELD_ERRORS = 'non_field_errors';

export const ErrorBodySchema = z.union([DetailErrorBodySchema, FieldErrorBodySchema]);
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
