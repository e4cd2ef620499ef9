import { randomUUID } from 'node:crypto';
import { NOT_STORABLE_TEXT, RestPaths } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { BODY_TYPES, type BodyType, sendBody } from '../catalog/world.js';
import {
  api,
  createRoom,
  expectFieldErrors,
  expectMessage,
  expectMessages,
  newUser,
  sendText,
  type User,
  useTestServer,
} from './http.js';

/*
 * Text a storage cannot keep as sent (a new user's report): the NUL character, which PostgreSQL
 * refuses in a text column (a 500 there, while SQLite kept it), and UTF-16 surrogates without
 * their pair, which have no UTF-8 form (answered 201 as sent, then read back as U+FFFD). Both are
 * a 400 naming the field, on every storage and every body type; in a token's claims they are left
 * out, as an absent claim is, rather than failing every write of the user.
 */

const NUL_TEXT = 'a\u0000b';
/** JSON bodies only: a lone surrogate cannot be percent-encoded or put in a multipart body. */
const LONE_SURROGATES = ['\ud800', 'x\udc00y', '\udbff'];

describe('text that cannot be stored as sent', () => {
  const t = useTestServer();
  let recruiter: User;
  let client: User;
  let room: string;

  beforeAll(async () => {
    recruiter = newUser(t);
    client = newUser(t);
    room = (await createRoom(recruiter, recruiter, [client])).uuid;
  });

  const send = (method: string, path: string, fields: Array<[string, unknown]>, type: BodyType) =>
    sendBody(client, method, path, fields, type);
  const list = async () =>
    expectMessages(await client.api.get(`${RestPaths.listMessages}?chat_room=${room}`));

  it.each(BODY_TYPES)('create, %s: NUL is a 400 naming content, and nothing is stored', async (type) => {
    const before = await list();
    const answer = await send(
      'POST',
      RestPaths.createMessage,
      [
        ['chat_room', room],
        ['content', NUL_TEXT],
      ],
      type,
    );
    expect(expectFieldErrors(answer, ['content'])).toEqual({ content: [NOT_STORABLE_TEXT] });
    expect(await list()).toEqual(before);
  });

  it('create and edit, JSON: an unpaired surrogate is a 400 naming content, and nothing changes', async () => {
    const message = await sendText(client, room, 'original');
    const before = await list();
    for (const content of [...LONE_SURROGATES, NUL_TEXT]) {
      const created = await client.api.post(RestPaths.createMessage, { chat_room: room, content });
      expect(expectFieldErrors(created, ['content']), JSON.stringify(content)).toEqual({
        content: [NOT_STORABLE_TEXT],
      });
      for (const method of ['PATCH', 'PUT']) {
        const edited = await client.api.send(method, RestPaths.messageDetail(message.uuid), {
          json: { content },
        });
        expect(expectFieldErrors(edited, ['content']), `${method} ${JSON.stringify(content)}`).toEqual({
          content: [NOT_STORABLE_TEXT],
        });
      }
    }
    expect(await list()).toEqual(before);
  });

  /** A body of `type` holding `content` as the bytes given, and the room; with its Content-Type. */
  function rawBody(
    type: BodyType,
    content: Buffer,
    withRoom = true,
  ): { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } {
    const bytes = (...parts: Array<string | Buffer>) =>
      new Uint8Array(
        Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part))),
      );
    if (type === 'json') {
      const fields = withRoom ? `"chat_room":"${room}",` : '';
      return {
        body: bytes(`{${fields}"content":"`, content, '"}'),
        headers: { 'content-type': 'application/json' },
      };
    }
    if (type === 'urlencoded') {
      const escaped = [...content].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
      const fields = withRoom ? `chat_room=${room}&` : '';
      return {
        body: bytes(`${fields}content=${escaped}`),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      };
    }
    const part = (name: string, value: string | Buffer) => [
      `--b0undary\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`,
      value,
      '\r\n',
    ];
    return {
      body: bytes(
        ...(withRoom ? part('chat_room', room) : []),
        ...part('content', content),
        '--b0undary--\r\n',
      ),
      headers: { 'content-type': 'multipart/form-data; boundary=b0undary' },
    };
  }

  /** Bytes that are not UTF-8: a lone continuation byte, a truncated sequence, an overlong form. */
  const NOT_UTF8 = [
    Buffer.from([0x61, 0xff, 0xfe, 0x62]),
    Buffer.from([0x61, 0xe2, 0x82]),
    Buffer.from([0xc0, 0xaf]),
  ];

  it.each(BODY_TYPES)(
    'create and edit, %s: bytes that are not UTF-8 are a 400, and nothing changes',
    async (type) => {
      const message = await sendText(client, room, 'original');
      const before = await list();
      // JSON is UTF-8 as a whole (RFC 8259): its error is the body's; a form's names the field.
      const field = type === 'json' ? 'non_field_errors' : 'content';
      for (const content of NOT_UTF8) {
        const created = await client.api.send('POST', RestPaths.createMessage, rawBody(type, content));
        expect(expectFieldErrors(created, [field]), `${type} ${content.toString('hex')}`).toEqual({
          [field]: ['Must be UTF-8 text.'],
        });
        for (const method of ['PATCH', 'PUT']) {
          const edited = await client.api.send(
            method,
            RestPaths.messageDetail(message.uuid),
            rawBody(type, content, false),
          );
          expect(expectFieldErrors(edited, [field]), `${method} ${type}`).toEqual({
            [field]: ['Must be UTF-8 text.'],
          });
        }
      }
      expect(await list()).toEqual(before);
    },
  );

  it.each(BODY_TYPES)(
    'create, %s: keeps a U+FFFD sent as UTF-8, and a per cent sign that starts no escape',
    async (type) => {
      const content = 'a\uFFFDb 100% ünï';
      const raw = rawBody(type, Buffer.from(content));
      if (type === 'urlencoded') {
        // As a browser would not, but the WHATWG parser keeps: UTF-8 as is, and a % that starts no escape.
        raw.body = new Uint8Array(Buffer.from(`chat_room=${room}&content=a%EF%BF%BDb+100%+\u00fcn\u00ef`));
      }
      const answer = await client.api.send('POST', RestPaths.createMessage, raw);
      expect(expectMessage(answer, 201).content).toBe(content);
    },
  );

  it('keeps text with paired surrogates (emoji) as sent, and reads it back the same', async () => {
    const message = await sendText(client, room, 'hi 👋🏽 𝒳');
    expect(message.content).toBe('hi 👋🏽 𝒳');
    expect(expectMessage(await client.api.get(RestPaths.messageDetail(message.uuid))).content).toBe(
      'hi 👋🏽 𝒳',
    );
  });

  it('leaves out name and email claims that cannot be stored, and serves the user', async () => {
    const id = randomUUID();
    const token = t.token({ sub: id, name: 'Rita\u0000', email: 'r\ud800@example.com' });
    const odd: User = { id, email: '', token, api: api(t, token) };
    const created = await createRoom(odd, odd, [client]);
    const message = await sendText(odd, created.uuid, 'hello');
    expect(message.content).toBe('hello');
  });
});
