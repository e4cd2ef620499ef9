import { ChatApiError } from '@hirechat/client-sdk';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/errors.js';

/** An error as the SDK makes it of a server's answer (`status`, the parsed body). */
const answered = (status: number, body: ChatApiError['body']) =>
  new ChatApiError(status, body, 'POST', '/chats/messages/create/');

describe('describeError: what the demo tells a person about a failed call', () => {
  it('words a code as the caller asks, over the common words and the server’s detail', () => {
    const gone = answered(404, { detail: 'Not found.', code: 'not_found' });
    expect(describeError(gone, { not_found: 'That message has been deleted.' })).toBe(
      'That message has been deleted.',
    );
    const limited = answered(429, { detail: 'Request was throttled.', code: 'rate_limited' });
    expect(describeError(limited)).toBe('That was a lot at once: wait a moment, then try again.');
    expect(describeError(limited, { rate_limited: 'Slow down.' })).toBe('Slow down.');
  });

  it('falls back to the server’s detail, or its field errors, for codes it has no words for', () => {
    const forbidden = answered(403, {
      detail: 'You can only create rooms that you take part in.',
      code: 'forbidden',
    });
    expect(describeError(forbidden)).toBe('You can only create rooms that you take part in.');
    const fields = answered(400, {
      content: ['This field may not be blank.'],
      job: ['Must be a valid UUID.'],
    });
    expect(fields.code).toBe('invalid_input');
    expect(describeError(fields)).toBe('content: This field may not be blank.; job: Must be a valid UUID.');
  });

  it('tells an answer without a body it knows (a proxy’s page) by its status', () => {
    expect(describeError(answered(502, null))).toBe(
      'The chat server could not be reached properly (502): try again.',
    );
  });

  it('tells any other error by its message', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toBe('Failed to fetch');
    expect(describeError('offline')).toBe('offline');
  });
});
