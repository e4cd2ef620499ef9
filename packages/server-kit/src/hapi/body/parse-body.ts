import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { ChatError } from '../../domain/chat-error.js';
import { addField, emptyFields, FilePart, type FormFields } from './form-fields.js';

/** Body types the contract accepts where it says "JSON or form". */
export const FORM_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * Parses a whole body of one of FORM_TYPES into FormFields. Keys are kept as data, whatever their
 * name; values as sent (JSON values as JSON, form values as text, file parts as FileParts).
 *
 * @param mime the body's media type without parameters, as Hapi read it from `Content-Type`.
 * @param headers the request's headers: multipart needs the boundary of `Content-Type`.
 * @throws ChatError `invalid_input` or `invalid_json` for a body that is not what it says it is.
 */
export async function parseBody(
  mime: string,
  headers: IncomingHttpHeaders,
  raw: Buffer,
): Promise<FormFields> {
  switch (mime) {
    case 'application/json':
      return parseJson(raw);
    case 'application/x-www-form-urlencoded':
      return parseUrlencoded(raw);
    case 'multipart/form-data':
      return parseMultipart(headers, raw);
    default:
      throw ChatError.of('unsupported_media_type', 'Unsupported media type.');
  }
}

function parseJson(raw: Buffer): FormFields {
  if (raw.length === 0) return emptyFields();
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw ChatError.of('invalid_json', 'The body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ChatError.invalidInput('Expected an object of fields.');
  }
  // JSON.parse defines every key as an own property (`__proto__` too, never the prototype); copied
  // into a prototype-less object, a key can no more meet a property of Object.prototype.
  const fields = emptyFields();
  for (const [name, item] of Object.entries(value)) fields[name] = item;
  return fields;
}

function parseUrlencoded(raw: Buffer): FormFields {
  const fields = emptyFields();
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) addField(fields, name, value);
  return fields;
}

function parseMultipart(headers: IncomingHttpHeaders, raw: Buffer): Promise<FormFields> {
  return new Promise((resolve, reject) => {
    const invalid = () => reject(ChatError.invalidInput('Invalid multipart payload format.'));
    let parser: busboy.Busboy;
    try {
      // Browsers send file names in UTF-8; the body's size is bounded already, so parts need none.
      parser = busboy({
        headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: raw.length + 1, fieldNameSize: raw.length + 1 },
      });
    } catch {
      // No boundary, or not multipart at all.
      invalid();
      return;
    }
    const fields = emptyFields();
    const pending: Promise<void>[] = [];
    // busboy reports a part named `name=""` as having no name at all; it was named, and so is its error.
    const nameOf = (name: string | undefined) => name ?? '';
    parser.on('field', (name, value) => addField(fields, nameOf(name), value));
    parser.on('file', (name, stream, info) => {
      pending.push(
        collect(stream).then((data) =>
          addField(fields, nameOf(name), new FilePart(info.filename ?? '', data)),
        ),
      );
    });
    parser.once('error', invalid);
    parser.once('close', () => {
      Promise.all(pending).then(() => resolve(fields), invalid);
    });
    Readable.from([raw]).pipe(parser);
  });
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
