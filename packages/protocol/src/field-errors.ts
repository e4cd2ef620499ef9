import type { z } from 'zod';
import { type FieldErrorBody, NON_FIELD_ERRORS } from './errors.js';

const REQUIRED = 'This field is required.';
const UNKNOWN = 'Unknown field.';

/**
 * Turns a zod error into Django REST Framework's field error body: each field named once, with its
 * messages. An unknown key becomes an error under its own name, whatever the name: keys such as
 * `constructor` or `__proto__` are data here, never properties looked up on an object. A field
 * that is present with a value of the wrong type is told so (`Must be true or false, not text.`);
 * only a field that is absent from `input` is "required".
 *
 * @param input what was parsed, to tell an absent field from a present one of the wrong type.
 */
export function toFieldErrors(error: z.ZodError, input: unknown): FieldErrorBody {
  // A Map, so that no field name can meet a property of Object.prototype (issue 9, fault 1).
  const fields = new Map<string, string[]>();
  const add = (field: string, message: string) => {
    const list = fields.get(field) ?? [];
    if (!list.includes(message)) list.push(message);
    fields.set(field, list);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key].join('.'), UNKNOWN);
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : NON_FIELD_ERRORS;
    if (issue.code !== 'invalid_type') {
      add(field, issue.message);
      continue;
    }
    const value = valueAt(input, issue.path);
    add(field, value.present ? wrongType(issue.message, issue.expected, value.value) : REQUIRED);
  }
  // fromEntries defines each key as an own property, `__proto__` included.
  return Object.fromEntries(fields);
}

/** The value at `path` in `input`, and whether it is there at all (an own property). */
function valueAt(input: unknown, path: readonly PropertyKey[]): { present: boolean; value: unknown } {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) {
      return { present: false, value: undefined };
    }
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { present: value !== undefined, value };
}

/** zod's own wording starts so; ours says what a field must be ("Must be a valid UUID."). */
const ZOD_DEFAULT = /^Invalid input\b/;

/** What the field must be, and what it was instead: `Must be a valid UUID, not a number.` */
function wrongType(message: string, expected: string, value: unknown): string {
  const must = ZOD_DEFAULT.test(message)
    ? `Must be ${EXPECTED[expected] ?? expected}`
    : message.replace(/\.$/, '');
  return `${must}, not ${kindOf(value)}.`;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object of fields',
};

/** The JSON kind of a value, as a person would name it. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return 'a value of another type';
  }
}
