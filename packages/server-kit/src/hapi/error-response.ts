import { type Boom, boomify } from '@hapi/boom';
import type { Lifecycle, Request, ResponseToolkit } from '@hapi/hapi';
import type { ErrorBody, ErrorCode } from '@hirechat/protocol';
import { ChatError } from '../domain/chat-error.js';
import type { Logger } from '../ports/logger.js';
import { ERROR_STATUS } from './error-status.js';
import { methodNotAllowed } from './route-table.js';

/** What Hapi's own errors say, reworded for clients of the original service. */
const HAPI_DETAIL: Record<number, string> = {
  400: 'Malformed request body.',
  401: 'Authentication credentials were not provided.',
  404: 'Not found.',
  405: 'Method not allowed.',
  408: 'The request did not arrive in time.',
  413: 'Request body is too large.',
  415: 'Unsupported media type.',
  500: 'Internal server error.',
};

/**
 * The one place that turns errors into the contract's bodies: `{"detail": ...}` or
 * `{"<field>": [...]}`, always JSON, always with the right status. `allowed` is the plugin's
 * `allowedMethods`, for the 405 of an OPTIONS that is no CORS preflight (none by default).
 */
export function errorResponder(
  logger: Logger,
  allowed: ReadonlyMap<string, string> = new Map(),
): Lifecycle.Method {
  return (request: Request, h: ResponseToolkit) => {
    if (!('isBoom' in request.response) || !request.response.isBoom) return h.continue;
    const response = optionsNotAllowed(request, allowed) ?? request.response;
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

/**
 * An OPTIONS request that is no CORS preflight (no `Origin` or no `Access-Control-Request-Method`)
 * reaches Hapi's preflight route all the same, which refuses it with 404. On a known path it is a
 * method the path does not serve: the contract's 405 with `Allow`, as any other method is there
 * (see `mountPaths`). Null for any other answer.
 */
function optionsNotAllowed(request: Request, allowed: ReadonlyMap<string, string>): Boom | null {
  const response = request.response;
  if (request.method !== 'options' || !('isBoom' in response) || response instanceof ChatError) return null;
  if (response.output.statusCode !== 404) return null;
  // Every known path has a route for GET, its own or the 405 one, whose path is the template.
  const route = request.server.match('get', request.path, request.info.hostname);
  const allow = route && allowed.get(route.path);
  return allow === undefined || allow === null ? null : boomify(methodNotAllowed(request.method, allow));
}

function describe(error: Boom): { status: number; body: ErrorBody } {
  if (error instanceof ChatError) {
    return {
      status: ERROR_STATUS[error.code],
      body: error.fields ?? { detail: error.message, code: error.code },
    };
  }
  const status = error.output.statusCode;
  const code = codeOfStatus(status);
  if (status >= 500) return { status, body: { detail: HAPI_DETAIL[500]!, code } };
  // Hapi's own 4xx messages (payload size and type, URLs it cannot parse) are safe and specific.
  const message = error.output.payload.message;
  const detail = message && status !== 404 ? message : (HAPI_DETAIL[status] ?? 'Bad request.');
  return { status, body: { detail, code } };
}

/** The code of an error that Hapi raised itself, from its status (contract, "Errors, continued"). */
function codeOfStatus(status: number): ErrorCode {
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return HAPI_CODE.get(status) ?? 'invalid_input';
}

/** Each status's code, where one code alone has that status. */
const HAPI_CODE = new Map<number, ErrorCode>(
  Object.entries(ERROR_STATUS)
    .filter(([, status], _, all) => all.filter(([, other]) => other === status).length === 1)
    .map(([code, status]) => [status, code as ErrorCode]),
);
