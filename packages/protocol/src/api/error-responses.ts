import { z } from 'zod';
import { DetailErrorBodySchema, ErrorBodySchema } from '../errors.js';

/** A response header, as the documents show it. */
export interface HeaderDoc {
  description: string;
  schema: z.ZodType;
}

/** One error status as every operation that may answer it documents it. */
export interface ErrorResponseDoc {
  /** Its name under the OpenAPI document's `components/responses`. */
  name: string;
  description: string;
  schema: z.ZodType;
  headers?: Record<string, HeaderDoc>;
}

const seconds = z.number().int().min(0);

/**
 * Where the caller stands against their rate limit (contract, "Errors, continued"): on every answer
 * to a signed-in caller, and on a 429.
 */
export const RATE_LIMIT_HEADER_DOCS: Record<string, HeaderDoc> = {
  'RateLimit-Limit': {
    description:
      "Requests of this kind (reads: GET; writes: the rest) the caller may make at once after a quiet spell: the limit's burst.",
    schema: z.number().int().min(1),
  },
  'RateLimit-Remaining': {
    description: 'Requests of this kind the caller may make right now.',
    schema: z.number().int().min(0),
  },
  'RateLimit-Reset': {
    description:
      'Seconds until the allowance is whole again; on a 429, until the next request may pass (as `Retry-After`).',
    schema: seconds,
  },
};

/**
 * The error answers of the REST API (contract, "Errors"), described once. A status an operation
 * may answer is listed in its `errors`, or follows from what it is (see `impliedErrors` in
 * rest-operations.ts). A new status is one entry here.
 */
export const ERROR_RESPONSES = {
  400: {
    name: 'BadRequest',
    description:
      'Bad input. A field error body, `{"<field>": ["...", ...]}`, names each field and what is wrong ' +
      'with it (`non_field_errors` holds rules across fields; unknown fields and query parameters ' +
      'are named too); a body that cannot be parsed at all is a `{"detail": "..."}`, and so is a message ' +
      "that the server's moderation hook refused (`code` `message_rejected`, `detail` its reason).",
    schema: ErrorBodySchema,
  },
  401: {
    name: 'Unauthorized',
    description:
      'No `Authorization: Bearer <access token>`, or a token that is expired, badly signed or malformed.',
    schema: DetailErrorBodySchema,
    headers: {
      'WWW-Authenticate': { description: 'Always `Bearer`.', schema: z.literal('Bearer') },
    },
  },
  403: {
    name: 'Forbidden',
    description: 'Signed in, and a participant of the room, but not allowed to do this.',
    schema: DetailErrorBodySchema,
  },
  404: {
    name: 'NotFound',
    description:
      'No such thing, or one in a room the caller is not in: the two answers are the same, so that ' +
      'an outsider learns nothing of a room, not even that it exists.',
    schema: DetailErrorBodySchema,
  },
  413: {
    name: 'PayloadTooLarge',
    description: "The body is larger than the server's upload limit; nothing of it is kept.",
    schema: DetailErrorBodySchema,
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is of a media type the operation does not take.',
    schema: DetailErrorBodySchema,
  },
  429: {
    name: 'TooManyRequests',
    description:
      "Over the caller's rate limit for this kind of request (code `rate_limited`); nothing was done. " +
      'Try again after `Retry-After` seconds.',
    schema: DetailErrorBodySchema,
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before the next request may pass.',
        schema: z.number().int().min(1),
      },
      ...RATE_LIMIT_HEADER_DOCS,
    },
  },
  503: {
    name: 'Unavailable',
    description: 'The server cannot reach its database (or Redis) right now; try again.',
    schema: DetailErrorBodySchema,
  },
} as const satisfies Record<number, ErrorResponseDoc>;

/** A status of ERROR_RESPONSES. */
export type ErrorStatus = keyof typeof ERROR_RESPONSES;
