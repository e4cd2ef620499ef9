import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { MAX_CONTENT_LENGTH, RestPaths } from '@hirechat/protocol';
import type { TestServer } from '@hirechat/server-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  bare,
  createRoom,
  expectAlive,
  expectDetail,
  expectFieldErrors,
  expectMessage,
  expectMessages,
  newUser,
  sendFile,
  type User,
  useTestServer,
} from './http.js';

const FILE_URL = /^\/media\/chat_files\/([A-Za-z0-9_-]+)_([A-Za-z0-9]{7})\.([A-Za-z0-9]+)$/;

/** Names of the files kept under the server's upload folder (none when it does not exist yet). */
async function storedFiles(t: TestServer): Promise<string[]> {
  try {
    return await readdir(join(t.dataDir, 'media', 'chat_files'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

describe('POST /chats/messages/create/', () => {
  const t = useTestServer();
  let recruiter: User;
  let client: User;
  let room: string;

  beforeAll(async () => {
    recruiter = newUser(t, { role: 'recruiter' });
    client = newUser(t, { role: 'client' });
    room = (await createRoom(recruiter, recruiter, [client])).uuid;
  });

  it('creates a text message from JSON (201) with every key of the contract', async () => {
    const job = randomUUID();
    const before = Date.now();

    const message = expectMessage(
      await client.api.post(RestPaths.createMessage, { chat_room: room, content: 'Hello there', job }),
      201,
    );

    expect(message).toMatchObject({
      sender: client.id,
      chat_room: room,
      file: null,
      file_url: null,
      job,
      content: 'Hello there',
      is_edited: false,
      is_viewed: false,
      read_by: [],
    });
    expect(message.timestamp).toMatch(/\+00:00$/);
    expect(Date.parse(message.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    // It is stored: the detail answers the same message.
    expect(expectMessage(await recruiter.api.get(RestPaths.messageDetail(message.uuid)))).toEqual(message);
  });

  it('takes a null or absent job, and upper-case UUIDs', async () => {
    const absent = expectMessage(
      await client.api.post(RestPaths.createMessage, { chat_room: room.toUpperCase(), content: 'a' }),
      201,
    );
    const nulled = expectMessage(
      await client.api.post(RestPaths.createMessage, { chat_room: room, content: 'b', job: null }),
      201,
    );
    expect(absent.job).toBeNull();
    expect(absent.chat_room).toBe(room);
    expect(nulled.job).toBeNull();
  });

  it('creates a text message from multipart/form-data and from an urlencoded form', async () => {
    const form = new FormData();
    form.append('chat_room', room);
    form.append('content', 'from a form');
    form.append('job', '');
    const multipart = expectMessage(await recruiter.api.postForm(RestPaths.createMessage, form), 201);

    const urlencoded = expectMessage(
      await recruiter.api.postForm(
        RestPaths.createMessage,
        new URLSearchParams({ chat_room: room, content: 'urlenc' }),
      ),
      201,
    );

    expect(multipart).toMatchObject({ content: 'from a form', file: null, job: null, sender: recruiter.id });
    expect(urlencoded).toMatchObject({ content: 'urlenc', file: null, sender: recruiter.id });
  });

  it('creates a message with a file (multipart), named as Django named uploads', async () => {
    const data = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 0, 255]);
    const form = new FormData();
    form.append('chat_room', room);
    form.append('file', new Blob([data], { type: 'image/png' }), 'Screenshot from 2024-11-14 18-12-03.png');

    const message = expectMessage(await client.api.postForm(RestPaths.createMessage, form), 201);

    expect(message.content).toBeNull();
    expect(message.file).toMatch(FILE_URL);
    expect(message.file).toMatch(
      /^\/media\/chat_files\/Screenshot_from_2024-11-14_18-12-03_[A-Za-z0-9]{7}\.png$/,
    );
    const name = message.file!.slice('/media/chat_files/'.length);
    expect(new Uint8Array(await readFile(join(t.dataDir, 'media', 'chat_files', name)))).toEqual(data);
  });

  it('a file with an empty content field counts as a file only', async () => {
    const form = new FormData();
    form.append('chat_room', room);
    form.append('content', '');
    form.append('file', new Blob(['%PDF-1.4 cv']), 'cv.pdf');

    const message = expectMessage(await client.api.postForm(RestPaths.createMessage, form), 201);

    expect(message.content).toBeNull();
    expect(message.file).toMatch(/^\/media\/chat_files\/cv_[A-Za-z0-9]{7}\.pdf$/);
  });

  it('sanitises a filename that climbs (`../`) and keeps the file inside the data folder', async () => {
    const message = await sendFile(client, room, { name: '../../../evil name.txt', data: 'gotcha' });

    expect(message.file).toMatch(/^\/media\/chat_files\/evil_name_[A-Za-z0-9]{7}\.txt$/);
    const name = message.file!.slice('/media/chat_files/'.length);
    const path = join(t.dataDir, 'media', 'chat_files', name);
    expect(relative(t.dataDir, path).split(sep)[0]).toBe('media');
    expect(await readFile(path, 'utf8')).toBe('gotcha');
    for (const windows of ['..\\..\\win.ini', 'C:\\Users\\ann\\cv.pdf']) {
      const other = await sendFile(client, room, { name: windows, data: 'x' });
      expect(other.file).toMatch(FILE_URL);
    }
    // Nothing landed beside the database.
    expect((await readdir(t.dataDir)).filter((entry) => !entry.startsWith('hirechat.sqlite'))).toEqual([
      'media',
    ]);
    expect(await readdir(join(t.dataDir, 'media'))).toEqual(['chat_files']);
  });

  describe('exactly one of content and file', () => {
    it('both is a 400 under non_field_errors, and keeps no file', async () => {
      const filesBefore = await storedFiles(t);
      const form = new FormData();
      form.append('chat_room', room);
      form.append('content', 'text too');
      form.append('file', new Blob(['bytes']), 'a.txt');

      const body = expectFieldErrors(await client.api.postForm(RestPaths.createMessage, form), [
        'non_field_errors',
      ]);

      expect(Object.keys(body)).toEqual(['non_field_errors']);
      expect(await storedFiles(t)).toEqual(filesBefore);
    });

    it('neither is a 400 under non_field_errors', async () => {
      for (const body of [
        { chat_room: room },
        { chat_room: room, content: '' },
        { chat_room: room, content: null },
      ]) {
        const answer = await client.api.post(RestPaths.createMessage, body);
        expect(Object.keys(expectFieldErrors(answer, ['non_field_errors']))).toEqual(['non_field_errors']);
      }
      const form = new FormData();
      form.append('chat_room', room);
      expectFieldErrors(await client.api.postForm(RestPaths.createMessage, form), ['non_field_errors']);
    });
  });

  describe('validation names the field', () => {
    it('a missing chat_room', async () => {
      const body = expectFieldErrors(await client.api.post(RestPaths.createMessage, { content: 'x' }), [
        'chat_room',
      ]);
      expect(body.chat_room).toEqual(['This field is required.']);
    });

    it('a chat_room or job that is not a UUID', async () => {
      expectFieldErrors(
        await client.api.post(RestPaths.createMessage, { chat_room: 'room-1', content: 'x' }),
        ['chat_room'],
      );
      expectFieldErrors(
        await client.api.post(RestPaths.createMessage, { chat_room: room, content: 'x', job: 'j' }),
        ['job'],
      );
    });

    it(`content longer than ${MAX_CONTENT_LENGTH} characters`, async () => {
      const ok = 'x'.repeat(MAX_CONTENT_LENGTH);
      expectMessage(await client.api.post(RestPaths.createMessage, { chat_room: room, content: ok }), 201);

      const answer = await client.api.post(RestPaths.createMessage, { chat_room: room, content: `${ok}y` });
      expect(Object.keys(expectFieldErrors(answer, ['content']))).toEqual(['content']);
    });

    it('an unknown field', async () => {
      const answer = await client.api.post(RestPaths.createMessage, {
        chat_room: room,
        content: 'x',
        sender: client.id,
      });
      expect(expectFieldErrors(answer, ['sender']).sender).toEqual(['Unknown field.']);
    });

    it('a file sent as text rather than as a file part', async () => {
      const form = new FormData();
      form.append('chat_room', room);
      form.append('file', 'not really a file');
      expectFieldErrors(await client.api.postForm(RestPaths.createMessage, form), ['file']);
      expectFieldErrors(await client.api.post(RestPaths.createMessage, { chat_room: room, file: 'x.png' }), [
        'file',
      ]);
    });

    it('a text field sent as a file part', async () => {
      const form = new FormData();
      form.append('chat_room', room);
      form.append('content', new Blob(['hello']), 'content.txt');
      expectFieldErrors(await client.api.postForm(RestPaths.createMessage, form), ['content']);
    });

    it('an empty file', async () => {
      const form = new FormData();
      form.append('chat_room', room);
      form.append('file', new Blob([]), 'empty.txt');
      expectFieldErrors(await client.api.postForm(RestPaths.createMessage, form), ['file']);
    });
  });

  it('answers 404 to a non-participant, and keeps neither the message nor the file', async () => {
    const outsider = newUser(t);
    const filesBefore = await storedFiles(t);

    expectDetail(
      await outsider.api.post(RestPaths.createMessage, { chat_room: room, content: 'let me in' }),
      404,
    );
    const form = new FormData();
    form.append('chat_room', room);
    form.append('file', new Blob(['sneaky']), 'sneaky.txt');
    expectDetail(await outsider.api.postForm(RestPaths.createMessage, form), 404);

    expect(await storedFiles(t)).toEqual(filesBefore);
    const contents = expectMessages(
      await recruiter.api.get(`${RestPaths.listMessages}?chat_room=${room}&limit=200`),
    ).map((message) => message.content);
    expect(contents).not.toContain('let me in');
  });

  it('answers 404 for a room that does not exist', async () => {
    expectDetail(
      await client.api.post(RestPaths.createMessage, { chat_room: randomUUID(), content: 'hello?' }),
      404,
    );
  });

  it('refuses an anonymous caller (401)', async () => {
    expectDetail(await api(t).post(RestPaths.createMessage, { chat_room: room, content: 'x' }), 401);
  });

  it('answers the same without the trailing slash', async () => {
    const message = expectMessage(
      await client.api.post(bare(RestPaths.createMessage), { chat_room: room, content: 'no slash' }),
      201,
    );
    expect(message.content).toBe('no slash');
    expectFieldErrors(await client.api.post(bare(RestPaths.createMessage), { chat_room: room }), [
      'non_field_errors',
    ]);
  });
});

describe('POST /chats/messages/create/ with a small maxUploadBytes', () => {
  const LIMIT = 1024;
  const t = useTestServer({ maxUploadBytes: LIMIT });
  let recruiter: User;
  let client: User;
  let room: string;

  beforeAll(async () => {
    recruiter = newUser(t);
    client = newUser(t);
    room = (await createRoom(recruiter, recruiter, [client])).uuid;
  });

  it('takes a file under the limit', async () => {
    const message = await sendFile(client, room, {
      name: 'small.bin',
      data: new Uint8Array(LIMIT / 2).fill(7),
    });
    expect(message.file).toMatch(FILE_URL);
    const name = message.file!.slice('/media/chat_files/'.length);
    expect(await storedFiles(t)).toContain(name);
  });

  it('answers 413 with a JSON detail to an upload over the limit, and keeps nothing of it', async () => {
    const before = await storedFiles(t);
    const form = new FormData();
    form.append('chat_room', room);
    form.append('file', new Blob([new Uint8Array(LIMIT * 4).fill(1)]), 'big.bin');

    expectDetail(await client.api.postForm(RestPaths.createMessage, form), 413);

    expect(await storedFiles(t)).toEqual(before);
    expect((await storedFiles(t)).some((name) => name.startsWith('big'))).toBe(false);
    const messages = expectMessages(await client.api.get(`${RestPaths.listMessages}?chat_room=${room}`));
    expect(messages.every((message) => !message.file?.includes('big'))).toBe(true);
    await expectAlive(t);
  });

  it('answers 413 to a large upload (1 MiB) too, and still answers afterwards', async () => {
    const before = await storedFiles(t);
    const form = new FormData();
    form.append('chat_room', room);
    form.append('file', new Blob([new Uint8Array(1024 * 1024).fill(2)]), 'huge.bin');

    expectDetail(await client.api.postForm(RestPaths.createMessage, form), 413);

    expect(await storedFiles(t)).toEqual(before);
    await expectAlive(t);
    expectMessage(
      await client.api.post(RestPaths.createMessage, { chat_room: room, content: 'still here' }),
      201,
    );
  });
});
