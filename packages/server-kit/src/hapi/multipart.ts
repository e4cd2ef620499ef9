import { ChatError } from '../domain/chat-error.js';
import type { UploadedFile } from '../ports/file-store.js';

/** A multipart part as Hapi's parser annotates it (`multipart: { output: 'annotated' }`). */
interface AnnotatedPart {
  filename: string;
  headers: Record<string, string>;
  payload: Buffer;
}

const isFilePart = (value: unknown): value is AnnotatedPart =>
  typeof value === 'object' &&
  value !== null &&
  'filename' in value &&
  'payload' in value &&
  !Array.isArray(value);

/**
 * Splits a parsed body into its text fields and the uploaded `file`. Hapi has already parsed the
 * body (JSON, urlencoded or multipart); a file can only come as a multipart part.
 */
export function splitUpload(payload: unknown): {
  fields: Record<string, unknown>;
  file: UploadedFile | null;
} {
  if (payload === null || payload === undefined) return { fields: {}, file: null };
  if (typeof payload !== 'object' || Array.isArray(payload) || Buffer.isBuffer(payload)) {
    throw ChatError.invalidInput('Expected an object of fields.');
  }
  const { file, ...fields } = payload as Record<string, unknown>;
  for (const [name, value] of Object.entries(fields)) {
    if (isFilePart(value)) throw ChatError.invalidField(name, 'Expected text, not a file.');
  }
  if (file === undefined || file === null || file === '') return { fields, file: null };
  if (!isFilePart(file))
    throw ChatError.invalidField('file', 'Upload the file as a multipart/form-data part.');
  // Browsers send an empty, nameless part for a file input left empty.
  if (file.filename === '' && file.payload.length === 0) return { fields, file: null };
  if (file.payload.length === 0) throw ChatError.invalidField('file', 'The submitted file is empty.');
  return { fields, file: { filename: file.filename, data: file.payload } };
}
