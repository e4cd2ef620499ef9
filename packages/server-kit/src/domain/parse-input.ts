import { toFieldErrors } from '@hirechat/protocol';
import type { z } from 'zod';
import { ChatError } from './chat-error.js';

/** Parses input with a protocol schema; a mismatch is an `invalid_input` ChatError naming the fields. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ChatError.invalid(toFieldErrors(result.error));
  return result.data;
}
