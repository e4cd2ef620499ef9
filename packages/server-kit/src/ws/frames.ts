import { type ServerEvent, type Since, SinceParamSchema } from '@hirechat/protocol';
import { ChatError } from '../domain/chat-error.js';

/** Every frame is JSON, so text, also when handed to `send` as the bytes encoded once per topic. */
export const TEXT_FRAME = { binary: false } as const;

/** The answer to a client's `ping`, encoded once. */
export const PONG_FRAME = JSON.stringify({ type: 'pong' } satisfies ServerEvent);

/** `?since=` as given: absent, a place to resume from, or the error that a bad one is answered. */
export function parseSince(value: string | null): Since | ChatError | null {
  if (value === null) return null;
  const parsed = SinceParamSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  return ChatError.invalidField('since', parsed.error.issues[0]?.message ?? 'Invalid.');
}
