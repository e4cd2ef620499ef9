import type { Boom } from '@hapi/boom';
import type { Lifecycle, Request, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import type { ErrorBody, ErrorCode } from '@hirechat/protocol';
import { ChatError } from '../domain/chat-error.js';
import type { Logger } from '../ports/logger.js';
import { ERROR_STATUS } from './error-status.js';

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
 * `{"<field>": [...]}`, always JSON, always with the right status. Only answers of 500 and above
 * are logged (error, with the stack): a 4xx is the client's mistake, not the server's.
 */
export function errorResponder(logger: Logger): Lifecycle.Method {
  return (request: Request, h: ResponseToolkit) => {
    const response = request.response;
    if (!('isBoom' in response) || !response.isBoom) return h.continue;
    // By the status the client gets: Hapi boomifies a thrown ChatError as a 500 whatever its code.
    // A client's mistake (4xx) is no fault of the server; its request line says enough.
    if (describe(response).status >= 500)
      logger.error({ err: response, method: request.method, path: request.path }, 'request failed');
    return errorAnswer(h, response);
  };
}

/**
 * The contract's answer to `error`: its status, its JSON body, and the headers its status calls
 * for (`WWW-Authenticate` on 401, `Allow` on 405 from the error's `data.allow`).
 */
export function errorAnswer(h: ResponseToolkit, error: Boom): ResponseObject {
  const { status, body } = describe(error);
  const answer = h.response(body).code(status).type('application/json');
  const authenticate = error.output.headers['WWW-Authenticate'];
  if (status === 401)
    answer.header('WWW-Authenticate', typeof authenticate === 'string' ? authenticate : 'Bearer');
  if (status === 405 && error.data && typeof error.data === 'object' && 'allow' in error.data) {
    answer.header('Allow', String(error.data.allow));
  }
  return answer;
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
