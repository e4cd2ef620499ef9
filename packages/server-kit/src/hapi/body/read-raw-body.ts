import type { Readable } from 'node:stream';
import getRawBody from 'raw-body';
import { ChatError } from '../../domain/chat-error.js';

/**
 * Reads a request body whole, within `maxBytes` and before `deadline` (a time in ms since the
 * epoch). Either limit broken is a ChatError, `payload_too_large` (413) or `request_timeout` (408),
 * and the stream is left paused rather than destroyed: the answer can then still be written, and
 * Hapi marks it `Connection: close` since the body was not read to its end, so the socket is freed
 * once the answer is out. (Hapi's own reader drains the rest of a body after a timeout, however
 * slowly it trickles in: issue 9, fault 7. Its multipart parser answers 400 to a chunked body
 * over the limit: fault 8.)
 */
export async function readRawBody(stream: Readable, maxBytes: number, deadline: number): Promise<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        stream.pause();
        reject(ChatError.of('request_timeout', 'The request body did not arrive in time.'));
      },
      Math.max(deadline - Date.now(), 0),
    );
  });
  const read = getRawBody(stream, { limit: maxBytes });
  // The loser of the race settles later (or never, for a read cut off by the deadline); either way
  // its outcome is no longer anyone's.
  read.catch(() => undefined);
  try {
    return await Promise.race([read, late]);
  } catch (error) {
    throw asChatError(error);
  } finally {
    clearTimeout(timer);
  }
}

function asChatError(error: unknown): unknown {
  if (error instanceof ChatError) return error;
  const { type, status, isBoom } = (error ?? {}) as { type?: unknown; status?: unknown; isBoom?: unknown };
  if (type === 'entity.too.large') return ChatError.of('payload_too_large', 'Request body is too large.');
  if (type === 'request.aborted') return ChatError.invalidInput('The request body ended early.');
  // Hapi's decoder of compressed bodies reports a broken one as a 400 Boom.
  if (isBoom === true || status === 400)
    return ChatError.invalidInput('The request body could not be decoded.');
  return error;
}
