import type { Readable } from 'node:stream';
import type { Request, RouteOptionsPayload } from '@hapi/hapi';
import type { FormFields } from './form-fields.js';
import { FORM_TYPES, parseBody } from './parse-body.js';
import { readRawBody } from './read-raw-body.js';

/** Largest body of a route without uploads: Hapi's own default. */
export const FORM_MAX_BYTES = 1024 * 1024;

export interface BodyLimits {
  /** Largest body in bytes; a larger one is a 413, by its Content-Length or as it arrives. */
  maxBytes: number;
  /** How long the body may take to arrive, counted from when the request's headers did. */
  timeoutMs: number;
}

/**
 * Route payload options of a route that takes a form: Hapi checks the type (415) and a declared
 * Content-Length (413) and hands the body over unread, for {@link readForm} to read.
 */
export function formPayload(maxBytes: number): RouteOptionsPayload {
  return { allow: FORM_TYPES, maxBytes, parse: 'gunzip', output: 'stream' };
}

/**
 * Route payload options of a route that takes no body: whatever body comes is never read, so that
 * a body trickled to such a route holds nothing (the answer closes the connection instead).
 */
export const UNREAD_BODY: RouteOptionsPayload = { parse: false, output: 'stream' };

/**
 * Reads and parses the body of a route mounted with {@link formPayload}: JSON, urlencoded or
 * multipart, within the limits. The one way every route reads a body.
 *
 * @throws ChatError `payload_too_large`, `request_timeout`, `invalid_json` or `invalid_input`.
 */
export async function readForm(request: Request, limits: BodyLimits): Promise<FormFields> {
  const raw = await readRawBody(
    request.payload as Readable,
    limits.maxBytes,
    request.info.received + limits.timeoutMs,
  );
  return parseBody(request.mime ?? '', request.raw.req.headers, raw);
}
