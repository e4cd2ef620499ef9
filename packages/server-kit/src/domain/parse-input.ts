import { parseFields } from '@hirechat/protocol';
import type { z } from 'zod';
import { ChatError } from './chat-error.js';

/** Parses input with a protocol schema; a mismatch is an `invalid_input` ChatError naming the fields. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = parseFields(schema, input);
  if (!result.success) throw ChatError.invalid(result.errors);
  return result.data;
}
