import { CLIENT_EVENT_TYPES, type ClientEvent, ClientEventSchema } from '@hirechat/protocol';
import { ChatError } from '../domain/chat-error.js';
import { parseInput } from '../domain/parse-input.js';

/** Parses one text frame into a client event, or throws the ChatError its `error` event reports. */
export function parseClientEvent(frame: string): ClientEvent {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    throw ChatError.of('invalid_json', 'Frames must be JSON objects.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ChatError.of('invalid_json', 'Frames must be JSON objects.');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(CLIENT_EVENT_TYPES as readonly string[]).includes(type)) {
    throw ChatError.of(
      'unknown_event',
      `Unknown event type; expected one of: ${CLIENT_EVENT_TYPES.join(', ')}.`,
    );
  }
  return parseInput(ClientEventSchema, value);
}
