import type { z } from 'zod';
import { ChatError } from '../domain/chat-error.js';
import { parseInput } from '../domain/parse-input.js';

/**
 * Parses one text frame into one of a socket's client events (`schema`, a union discriminated by
 * `type` whose types are `types`), or throws the ChatError its `error` event reports.
 */
export function parseClientEvent<S extends z.ZodType<{ type: string }>>(
  frame: string,
  schema: S,
  types: readonly string[],
): z.output<S> {
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
  if (typeof type !== 'string' || !types.includes(type)) {
    throw ChatError.of('unknown_event', `Unknown event type; expected one of: ${types.join(', ')}.`);
  }
  return parseInput(schema, value);
}
