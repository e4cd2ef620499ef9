import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RestPaths } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { BODY_TYPES, sendBody } from '../catalog/world.js';
import {
  createRoom,
  expectFieldErrors,
  expectMessage,
  expectMessages,
  newUser,
  sendText,
  type User,
  useTestServer,
} from './http.js';

/** Text that shows nothing: white space, controls, and zero-width characters. */
const BLANKS = [' ', ' \n\t ', '\r\n', '\u00a0\u3000', '\u200b', '\u2060\ufeff'];

/** Issue 9, fault 5: content must have a visible character, on create and on edit, in every body type. */
describe('blank content', () => {
  const t = useTestServer();
  let recruiter: User;
  let client: User;
  let room: string;

  beforeAll(async () => {
    recruiter = newUser(t);
    client = newUser(t);
    room = (await createRoom(recruiter, recruiter, [client])).uuid;
  });

  const send = sendBody;

  async function storedFiles(): Promise<string[]> {
    return readdir(join(t.dataDir, 'media', 'chat_files')).catch(() => []);
  }

  it.each(BODY_TYPES)('create, %s: a 400 naming content, and nothing stored', async (type) => {
    const before = expectMessages(await client.api.get(`${RestPaths.listMessages}?chat_room=${room}`));
    for (const content of BLANKS) {
      const answer = await send(
        client,
        'POST',
        RestPaths.createMessage,
        [
          ['chat_room', room],
          ['content', content],
        ],
        type,
      );
      expect(expectFieldErrors(answer, ['content']), JSON.stringify(content)).toEqual({
        content: ['May not be blank.'],
      });
    }
    expect(expectMessages(await client.api.get(`${RestPaths.listMessages}?chat_room=${room}`))).toEqual(
      before,
    );
  });

  it('create with a file and blank content beside it: a 400, and the file is not kept', async () => {
    const files = await storedFiles();
    const answer = await send(
      client,
      'POST',
      RestPaths.createMessage,
      [
        ['chat_room', room],
        ['content', '  '],
        ['file', { file: { name: 'cv.pdf', data: '%PDF', type: 'application/pdf' } }],
      ],
      'multipart',
    );
    expect(expectFieldErrors(answer, ['content'])).toEqual({ content: ['May not be blank.'] });
    expect(await storedFiles()).toEqual(files);
  });

  it.each((['PATCH', 'PUT'] as const).flatMap((method) => BODY_TYPES.map((type) => [method, type] as const)))(
    '%s, %s: a 400 naming content, and the message unchanged',
    async (method, type) => {
      const message = await sendText(client, room, 'original');
      for (const content of [...BLANKS, '']) {
        const answer = await send(
          client,
          method,
          RestPaths.messageDetail(message.uuid),
          [['content', content]],
          type,
        );
        expect(expectFieldErrors(answer, ['content']), JSON.stringify(content)).toEqual({
          content: ['May not be blank.'],
        });
      }
      expect(expectMessage(await client.api.get(RestPaths.messageDetail(message.uuid)))).toEqual(message);
    },
  );

  it('keeps white space around visible text as sent', async () => {
    const message = await sendText(client, room, '  hello\n');
    expect(message.content).toBe('  hello\n');
  });
});
