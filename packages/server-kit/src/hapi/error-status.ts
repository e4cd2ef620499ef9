import type { ErrorCode } from '@hirechat/protocol';

/** HTTP status of each error code. A new code without a status does not compile. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_json: 400,
  unknown_event: 400,
  not_authenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  headers_too_large: 431,
  message_rejected: 400,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};
