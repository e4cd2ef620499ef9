import type { z } from 'zod';
import type { FieldErrorBody } from './errors.js';
import { toFieldErrors } from './field-errors.js';

/** What {@link parseFields} answers: the parsed value, or the field errors of the input. */
export type ParsedFields<T> = { success: true; data: T } | { success: false; errors: FieldErrorBody };

/**
 * Parses a body, query or event with one of the protocol's schemas and, when it does not fit,
 * answers the field error body that names each field (see {@link toFieldErrors}). Servers parse
 * every input through this, so that every route and event words its errors the same way.
 */
export function parseFields<S extends z.ZodType>(schema: S, input: unknown): ParsedFields<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  return { success: false, errors: toFieldErrors(result.error, input) };
}
