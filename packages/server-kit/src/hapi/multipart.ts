import { Readable } from 'node:stream';
import { ChatError } from '../domain/chat-error.js';
import type { UploadedFile } from '../ports/file-store.js';

/**
 * A file part as Hapi's parser hands it over with `multipart: { output: 'stream' }`: a stream of
 * the bytes exactly as sent. ('data' and 'annotated' would parse each part by the type the client
 * declared for it, so that a text file came back decoded, a JSON file as an object and an empty
 * one as `{}`.) Nothing but the multipart parser makes one, so a JSON body cannot pose as a file.
 */
interface FilePart extends Readable {
  hapi: { filename: string; headers: Record<string, string> };
}

const isFilePart = (value: unknown): value is FilePart =>
  value instanceof Readable &&
  'hapi' in value &&
  typeof value.hapi === 'object' &&
  value.hapi !== null &&
  'filename' in value.hapi &&
  typeof value.hapi.filename === 'string';

/**
 * Splits a parsed body into its text fields and the uploaded `file`. Hapi has already parsed the
 * body (JSON, urlencoded or multipart); a file can only come as a multipart part.
 */
export async function splitUpload(payload: unknown): Promise<{
  fields: Record<string, unknown>;
  file: UploadedFile | null;
}> {
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
  const data = await readAll(file);
  // Browsers send an empty, nameless part for a file input left empty.
  if (file.hapi.filename === '' && data.length === 0) return { fields, file: null };
  if (data.length === 0) throw ChatError.invalidField('file', 'The submitted file is empty.');
  return { fields, file: { filename: file.hapi.filename, data } };
}

/** The part is already in memory (the parser enforced maxBytes); this only unwraps it. */
async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
