import { ChatError } from '../../domain/chat-error.js';
import type { UploadedFile } from '../../ports/file-store.js';

/** A file part of a multipart body, exactly as sent. Only the multipart parser makes one. */
export class FilePart {
  constructor(
    /** The part's `filename`, as the client sent it (possibly empty). */
    readonly filename: string,
    readonly data: Buffer,
  ) {}
}

/**
 * The fields of a parsed body by name: text (a list where a form repeats a name), JSON values,
 * and FileParts. It has no prototype, so that a field may be called anything, `constructor` and
 * `__proto__` included, and is never confused with a property every object has (issue 9, fault 1).
 */
export type FormFields = Record<string, unknown>;

/** An empty FormFields. */
export function emptyFields(): FormFields {
  return Object.create(null) as FormFields;
}

/** Adds a value under its name; a name given again makes a list, as Django's QueryDict reads it. */
export function addField(fields: FormFields, name: string, value: unknown): void {
  if (!Object.hasOwn(fields, name)) {
    fields[name] = value;
    return;
  }
  const known = fields[name];
  fields[name] = Array.isArray(known) ? [...known, value] : [known, value];
}

/**
 * The fields with file parts refused by name, except in `fileField` (where the route decides).
 * A file where text belongs is a 400 naming the field.
 */
export function textFields(fields: FormFields, fileField?: string): FormFields {
  for (const [name, value] of Object.entries(fields)) {
    if (name === fileField) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.some((item) => item instanceof FilePart)) {
      throw ChatError.invalidField(name, 'Expected text, not a file.');
    }
  }
  return fields;
}

/**
 * The upload in a create's `file` field: null when none was sent (no field, an empty form field,
 * or the empty nameless part that browsers send for a file input left empty).
 */
export function uploadedFile(value: unknown): UploadedFile | null {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value)) throw ChatError.invalidField('file', 'Send one file only.');
  if (!(value instanceof FilePart)) {
    throw ChatError.invalidField('file', 'Upload the file as a multipart/form-data part.');
  }
  if (value.filename === '' && value.data.length === 0) return null;
  if (value.data.length === 0) throw ChatError.invalidField('file', 'The submitted file is empty.');
  return { filename: value.filename, data: value.data };
}
