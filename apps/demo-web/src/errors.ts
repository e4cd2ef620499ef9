import { ChatApiError } from '@hirechat/client-sdk';

/** One line for a person: the server's `detail`, or its field errors, or the error's message. */
export function describeError(error: unknown): string {
  if (error instanceof ChatApiError && error.body) {
    if ('detail' in error.body && typeof error.body.detail === 'string') return error.body.detail;
    return Object.entries(error.body)
      .map(([field, messages]) => `${field}: ${([] as string[]).concat(messages).join(' ')}`)
      .join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}
