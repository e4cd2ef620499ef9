import { randomUUID } from 'node:crypto';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_CONTENT_LENGTH, type Message, RestPaths } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  bare,
  createRoom,
  expectDetail,
  expectFieldErrors,
  expectMessage,
  expectMessages,
  newUser,
  sendFile,
  sendText,
  type User,
  unsigned,
  useTestServer,
} from './http.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('/chats/messages/detail/{uuid}/', () => {
  const t = useTestServer();
  let recruiter: User;
  let client: User;
  let otherClient: User;
  let outsider: User;
  let room: string;

  beforeAll(async () => {
    recruiter = newUser(t);
    client = newUser(t);
    otherClient = newUser(t);
    outsider = newUser(t);
    room = (await createRoom(recruiter, recruiter, [client, otherClient])).uuid;
  });

  const detail = (message: Message | string) =>
    RestPaths.messageDetail(typeof message === 'string' ? message : message.uuid);

  describe('GET', () => {
    it('answers the message to every participant (200)', async () => {
      const message = await sendText(client, room, 'look');
      for (const user of [recruiter, client, otherClient]) {
        expect(expectMessage(await user.api.get(detail(message)))).toEqual(message);
      }
    });

    it('answers the same without the trailing slash, and for an upper-case UUID', async () => {
      const message = await sendText(client, room, 'slashless');
      expect(expectMessage(await recruiter.api.get(bare(detail(message))))).toEqual(message);
      expect(expectMessage(await recruiter.api.get(detail(message.uuid.toUpperCase())))).toEqual(message);
    });

    it('answers 404 to a non-participant, as for a message that does not exist', async () => {
      const message = await sendText(client, room, 'private');
      const hidden = expectDetail(await outsider.api.get(detail(message)), 404);
      const missing = expectDetail(await outsider.api.get(detail(randomUUID())), 404);
      // The outsider cannot tell the two apart.
      expect(hidden).toBe(missing);
    });

    it('answers 404 for an unknown UUID and for a path that is not a UUID', async () => {
      expectDetail(await client.api.get(detail(randomUUID())), 404);
      expectDetail(await client.api.get(detail('not-a-uuid')), 404);
      expectDetail(await client.api.get(detail('12345')), 404);
      expectDetail(await client.api.get(bare(detail('not-a-uuid'))), 404);
    });

    it('refuses an anonymous caller (401)', async () => {
      const message = await sendText(client, room, 'x');
      const answer = await api(t).get(detail(message));
      expectDetail(answer, 401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });
  });

  describe('PATCH and PUT', () => {
    for (const method of ['PATCH', 'PUT'] as const) {
      it(`${method} by the sender sets the content and is_edited (200)`, async () => {
        const message = await sendText(client, room, 'typo');

        const answer = await client.api.send(method, detail(message), { json: { content: 'fixed' } });

        const updated = expectMessage(answer);
        expect(updated).toEqual({ ...message, content: 'fixed', is_edited: true });
        expect(expectMessage(await recruiter.api.get(detail(message)))).toEqual(updated);
      });

      it(`${method} takes a form too, and the path without the slash`, async () => {
        const message = await sendText(client, room, 'form me');
        const form = new FormData();
        form.append('content', 'multipart edit');
        const byMultipart = expectMessage(await client.api.send(method, bare(detail(message)), { form }));
        expect(byMultipart).toMatchObject({ content: 'multipart edit', is_edited: true });

        const urlencoded = new URLSearchParams({ content: 'urlencoded edit' });
        const byUrlencoded = expectMessage(
          await client.api.send(method, detail(message), { form: urlencoded }),
        );
        expect(byUrlencoded).toMatchObject({ content: 'urlencoded edit', is_edited: true });
      });

      it(`${method} by another participant is 403, and changes nothing`, async () => {
        const message = await sendText(client, room, 'mine');
        for (const other of [recruiter, otherClient]) {
          expectDetail(
            await other.api.send(method, detail(message), { json: { content: 'yours now' } }),
            403,
          );
        }
        expect(expectMessage(await client.api.get(detail(message)))).toEqual(message);
      });

      it(`${method} by a non-participant is 404`, async () => {
        const message = await sendText(client, room, 'mine');
        expectDetail(await outsider.api.send(method, detail(message), { json: { content: 'hi' } }), 404);
        expectDetail(await client.api.send(method, detail(randomUUID()), { json: { content: 'hi' } }), 404);
      });

      it(`${method} with a file in a JSON body is 400 naming \`file\`, saying to delete and re-create`, async () => {
        const message = await sendText(client, room, 'text');
        for (const json of [
          { content: 'new', file: 'other.png' },
          { content: 'new', file: null },
        ]) {
          const body = expectFieldErrors(await client.api.send(method, detail(message), { json }), ['file']);
          expect(body.file?.join(' ')).toMatch(/delete/i);
          expect(body.file?.join(' ')).toMatch(/creat/i);
        }
        expect(expectMessage(await client.api.get(detail(message)))).toEqual(message);
      });

      it(`${method} with a file part in multipart is 400 naming \`file\`, and keeps no file`, async () => {
        const message = await sendFile(client, room, { name: 'first.txt', data: 'first' });
        const filesBefore = await readdir(join(t.dataDir, 'media', 'chat_files'));
        const form = new FormData();
        form.append('content', 'caption');
        form.append('file', new Blob(['second']), 'second.txt');

        const body = expectFieldErrors(await client.api.send(method, detail(message), { form }), ['file']);

        expect(body.file?.join(' ')).toMatch(/delete/i);
        expect(await readdir(join(t.dataDir, 'media', 'chat_files'))).toEqual(filesBefore);
        expect(unsigned(expectMessage(await client.api.get(detail(message))))).toEqual(unsigned(message));
      });

      it(`${method} validates the content, naming it`, async () => {
        const message = await sendText(client, room, 'valid');
        for (const json of [
          {},
          { content: '' },
          { content: null },
          { content: 42 },
          { content: 'x'.repeat(MAX_CONTENT_LENGTH + 1) },
        ]) {
          expectFieldErrors(await client.api.send(method, detail(message), { json }), ['content']);
        }
        const unknown = expectFieldErrors(
          await client.api.send(method, detail(message), { json: { content: 'ok', is_edited: false } }),
          ['is_edited'],
        );
        expect(unknown.is_edited).toEqual(['Unknown field.']);
        expect(expectMessage(await client.api.get(detail(message)))).toEqual(message);
      });
    }

    it('edits the content of a file message, keeping the file', async () => {
      const message = await sendFile(client, room, { name: 'photo.png', data: 'png', type: 'image/png' });
      const updated = expectMessage(await client.api.patch(detail(message), { content: 'a caption' }));
      expect(unsigned(updated)).toEqual(unsigned({ ...message, content: 'a caption', is_edited: true }));
    });

    it('refuses an anonymous caller (401)', async () => {
      const message = await sendText(client, room, 'x');
      expectDetail(await api(t).patch(detail(message), { content: 'y' }), 401);
    });
  });

  describe('DELETE', () => {
    it('by the sender is 204 with no body, and the message is gone', async () => {
      const message = await sendText(client, room, 'bye');

      const answer = await client.api.delete(detail(message));

      expect(answer.status).toBe(204);
      expect(answer.body).toBeNull();
      expectDetail(await client.api.get(detail(message)), 404);
      expectDetail(await client.api.delete(detail(message)), 404);
      const listed = expectMessages(
        await recruiter.api.get(`${RestPaths.listMessages}?chat_room=${room}&limit=200`),
      );
      expect(listed.map((m) => m.uuid)).not.toContain(message.uuid);
    });

    it('removes the stored file, whose URL then answers 404', async () => {
      const message = await sendFile(client, room, { name: 'gone.pdf', data: '%PDF-1.4' });
      const name = message.file!.slice('/media/chat_files/'.length);
      const path = join(t.dataDir, 'media', 'chat_files', name);
      expect(await exists(path)).toBe(true);

      expect((await client.api.delete(bare(detail(message)))).status).toBe(204);

      expect(await exists(path)).toBe(false);
      expectDetail(await client.api.get(message.file!), 404);
    });

    it('by another participant is 403, by a non-participant 404, and the message stays', async () => {
      const message = await sendFile(client, room, { name: 'keep.txt', data: 'keep' });
      const name = message.file!.slice('/media/chat_files/'.length);

      expectDetail(await recruiter.api.delete(detail(message)), 403);
      expectDetail(await otherClient.api.delete(detail(message)), 403);
      expectDetail(await outsider.api.delete(detail(message)), 404);
      expectDetail(await api(t).delete(detail(message)), 401);

      expect(unsigned(expectMessage(await client.api.get(detail(message))))).toEqual(unsigned(message));
      expect(await exists(join(t.dataDir, 'media', 'chat_files', name))).toBe(true);
    });

    it('answers 404 for an unknown UUID and for a path that is not a UUID', async () => {
      expectDetail(await client.api.delete(detail(randomUUID())), 404);
      expectDetail(await client.api.delete(detail('nope')), 404);
    });
  });
});
