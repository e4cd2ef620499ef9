import type { Boom } from '@hapi/boom';
import type { Lifecycle, Request, ResponseToolkit } from '@hapi/hapi';
import type { ErrorBody } from '@hirechat/protocol';
import { ChatError } from '../domain/chat-error.js';
import type { Logger } from '../ports/logger.js';
import { ERROR_STATUS } from './error-status.js';

/** What Hapi's own errors say, reworded for clients of the original service. */
const HAPI_DETAIL: Record<number, string> = {
  400: 'Malformed request body.',
  401: 'Authentication credentials were not provided.',
  404: 'Not found.',
  405: 'Method not allowed.',
  413: 'Request body is too large.',
  415: 'Unsupported media type.',
  500: 'Internal server error.',
};

/**
 * The one place that turns errors into the contract's bodies: `{"detail": ...}` or
 * `{"<field>": [...]}`, always JSON, always with the right status.
 */
export function errorResponder(logger: Logger): Lifecycle.Method {
  return (request: Request, h: ResponseToolkit) => {
    const response = request.response;
    if (!('isBoom' in response) || !response.isBoom) return h.continue;
    const { status, body } = describe(response);
    if (status >= 500)
      logger.error({ err: response, method: request.method, path: request.path }, 'request failed');
    const answer = h.response(body).code(status).type('application/json');
    const authenticate = response.output.headers['WWW-Authenticate'];
    if (status === 401)
      answer.header('WWW-Authenticate', typeof authenticate === 'string' ? authenticate : 'Bearer');
    if (status === 405 && response.data && typeof response.data === 'object' && 'allow' in response.data) {
      answer.header('Allow', String(response.data.allow));
    }
    return answer;
  };
}

function describe(error: Boom): { status: number; body: ErrorBody } {
  if (error instanceof ChatError) {
    return { status: ERROR_STATUS[error.code], body: error.fields ?? { detail: error.message } };
  }
  const status = error.output.statusCode;
  if (status >= 500) return { status, body: { detail: HAPI_DETAIL[500]! } };
  // Hapi's own 4xx messages (payload parsing, size, type) are safe and specific; keep them.
  const message = error.output.payload.message;
  return {
    status,
    body: { detail: message && status !== 404 ? message : (HAPI_DETAIL[status] ?? 'Bad request.') },
  };
}
