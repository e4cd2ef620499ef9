import type { ErrorBody } from '@hirechat/protocol';

/** A REST call the server answered with an error status. */
export class ChatApiError extends Error {
  override readonly name = 'ChatApiError';

  constructor(
    readonly status: number,
    /** The server's error body: `{"detail": ...}` or `{"<field>": [...]}`. */
    readonly body: ErrorBody | null,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path} answered ${status}${describe(body)}`);
  }
}

function describe(body: ErrorBody | null): string {
  if (!body) return '';
  if ('detail' in body && typeof body.detail === 'string') return `: ${body.detail}`;
  return `: ${JSON.stringify(body)}`;
}
