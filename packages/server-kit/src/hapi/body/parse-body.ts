import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { NON_FIELD_ERRORS } from '@hirechat/protocol';
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

/*
 * Bodies are UTF-8 (RFC 8259 for JSON; the WHATWG URL and HTML standards for forms). Bytes that are
 * not UTF-8 are a 400, not text with U+FFFD in their place: a message would be stored other than as
 * sent, which the contract refuses for every text a storage cannot keep (see NOT_STORABLE_TEXT).
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NOT_UTF8 = 'Must be UTF-8 text.';
const REPLACEMENT = '\uFFFD';
/** U+FFFD as UTF-8 bytes, to tell one sent as such from one a lenient decoder put in. */
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT, 'utf8');

/** The bytes as text. @throws ChatError `invalid_input` naming `field` when they are not UTF-8. */
function utf8Text(bytes: Uint8Array, field: string): string {
  const text = strictUtf8Or(bytes);
  if (text === null) throw ChatError.invalidField(field, NOT_UTF8);
  return text;
}

function parseJson(raw: Buffer): FormFields {
  if (raw.length === 0) return emptyFields();
  const text = utf8Text(raw, NON_FIELD_ERRORS);
  let value: unknown;
  try {
    value = JSON.parse(text);
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
  const text = utf8Text(raw, NON_FIELD_ERRORS);
  // URLSearchParams decodes a percent-escape that is not UTF-8 (`%ff`) to U+FFFD where
  // decodeURIComponent throws; a `%` that starts no escape it keeps as sent, and so does this.
  for (const pair of text.split('&')) {
    try {
      decodeURIComponent(pair.replace(/\+/g, ' ').replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
    } catch {
      const [name = ''] = new URLSearchParams(pair).keys();
      throw ChatError.invalidField(name, NOT_UTF8);
    }
  }
  // Node's URLSearchParams turns characters past ASCII into U+FFFD in a body that also holds a `%`
  // starting no escape (`100%`); escaped first, they come back as sent.
  const ascii = text.replace(/[^\0-\x7f]+/g, encodeURIComponent);
  const fields = emptyFields();
  for (const [name, value] of new URLSearchParams(ascii)) addField(fields, name, value);
  return fields;
}

/** The bytes as text, or null when they are not UTF-8. */
function strictUtf8Or(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
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
    parser.on('field', (name, value) => {
      // busboy decodes a part's bytes that are not UTF-8 to U+FFFD and says nothing; a body that
      // never carried one as UTF-8 did not send it.
      if (value.includes(REPLACEMENT) && !raw.includes(REPLACEMENT_BYTES)) {
        reject(ChatError.invalidField(nameOf(name), NOT_UTF8));
        return;
      }
      addField(fields, nameOf(name), value);
    });
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
