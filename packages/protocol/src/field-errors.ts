import type { z } from 'zod';
import { type FieldErrorBody, NON_FIELD_ERRORS } from './errors.js';

/**
 * Turns a zod error into Django REST Framework's field error body: each field named once, with
 * its messages. An unknown key becomes an error under its own name.
 */
export function toFieldErrors(error: z.ZodError): FieldErrorBody {
  const body: FieldErrorBody = {};
  const add = (field: string, message: string) => {
    const list = body[field] ?? [];
    if (!list.includes(message)) list.push(message);
    body[field] = list;
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key].join('.'), 'Unknown field.');
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : NON_FIELD_ERRORS;
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    add(field, missing ? 'This field is required.' : issue.message);
  }
  return body;
}
