import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RestPaths } from '@hirechat/protocol';
import type { BeforeMessageInput, BeforeMessageVerdict } from '@hirechat/server-kit';
import { describe, expect, it } from 'vitest';
import {
  createRoom,
  expectDetail,
  expectMessage,
  expectMessages,
  newUser,
  sendText,
  useTestServer,
} from '../rest/http.js';
import { EventRecorder } from './event-recorder.js';

/*
 * Issue 11: the `beforeMessage` hook moderates every create and update before anything is stored.
 * A rejection is the client's 400 `message_rejected`; a rewrite is what gets stored and sent; a
 * hook that throws or does not answer in time fails the request (503) and stores nothing.
 */

const PHONE = /\+?\d[\d -]{6,}\d/g;

/** What the hook was shown, and what it answers: chosen per message by its content. */
const seen: BeforeMessageInput[] = [];
async function moderate(input: BeforeMessageInput): Promise<BeforeMessageVerdict> {
  seen.push(input);
  const text = input.content ?? '';
  if (text.includes('forbidden word')) return { reject: 'Please keep it polite.' };
  if (text.includes('explode')) throw new Error('the moderation service is down');
  if (text.includes('stall')) return new Promise<never>(() => {});
  if (text.includes('blank me')) return { content: '   ' };
  if (input.file && new TextDecoder().decode(input.file.data).includes('EICAR')) {
    return { reject: 'That file looks like malware.' };
  }
  const cleaned = text.replace(PHONE, '[phone removed]');
  return cleaned === text ? undefined : { content: cleaned };
}

describe('the beforeMessage hook', () => {
  const events = new EventRecorder();
  const server = useTestServer({
    hooks: { beforeMessage: moderate, onEvent: events.hook, timeoutMs: 300 },
  });

  async function roomOfTwo() {
    const recruiter = newUser(server);
    const client = newUser(server);
    return { recruiter, client, room: await createRoom(recruiter, recruiter, [client]) };
  }

  async function stored(user: ReturnType<typeof newUser>, room: string) {
    return expectMessages(await user.api.get(`${RestPaths.listMessages}?chat_room=${room}`));
  }

  it('refuses a rejected message with 400 message_rejected and its reason, and stores nothing', async () => {
    const { recruiter, room } = await roomOfTwo();
    const answer = await recruiter.api.post(RestPaths.createMessage, {
      chat_room: room.uuid,
      content: 'a forbidden word',
    });
    expect(expectDetail(answer, 400)).toBe('Please keep it polite.');
    expect(answer.body).toEqual({ detail: 'Please keep it polite.', code: 'message_rejected' });
    expect(await stored(recruiter, room.uuid)).toEqual([]);
    expect(
      events.events.filter((e) => e.type === 'message.created' && e.data.message.chat_room === room.uuid),
    ).toEqual([]);
  });

  it('stores and sends the rewritten content, on create and on update', async () => {
    const { recruiter, client, room } = await roomOfTwo();
    const created = await sendText(recruiter, room, 'call me on +44 20 7946 0958 tomorrow');
    expect(created.content).toBe('call me on [phone removed] tomorrow');
    const event = await events.waitFor(
      (e) => e.type === 'message.created' && e.data.message.uuid === created.uuid,
    );
    expect(event.type === 'message.created' && event.data.message.content).toBe(created.content);

    const edited = expectMessage(
      await recruiter.api.patch(RestPaths.messageDetail(created.uuid), { content: 'or 555 123 4567' }),
    );
    expect(edited.content).toBe('or [phone removed]');
    expect((await stored(client, room.uuid)).map((m) => m.content)).toEqual(['or [phone removed]']);
    const update = seen.find((input) => input.action === 'update' && input.existing?.uuid === created.uuid);
    expect(update).toMatchObject({
      sender: { id: recruiter.id },
      chat_room: room.uuid,
      content: 'or 555 123 4567',
      file: null,
      existing: { content: 'call me on [phone removed] tomorrow' },
    });
  });

  it('refuses a rejected edit and keeps the message as it was', async () => {
    const { recruiter, room } = await roomOfTwo();
    const created = await sendText(recruiter, room, 'hello');
    const answer = await recruiter.api.patch(RestPaths.messageDetail(created.uuid), {
      content: 'hello, forbidden word',
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ detail: 'Please keep it polite.', code: 'message_rejected' });
    expect((await stored(recruiter, room.uuid)).map((m) => [m.content, m.is_edited])).toEqual([
      ['hello', false],
    ]);
  });

  it('shows the hook the file before it is kept, and keeps nothing of a rejected one', async () => {
    const { recruiter, room } = await roomOfTwo();
    const form = new FormData();
    form.append('chat_room', room.uuid);
    form.append('file', new Blob(['X5O!P%@AP EICAR test']), 'virus.txt');
    const answer = await recruiter.api.postForm(RestPaths.createMessage, form);
    expect(answer.body).toEqual({ detail: 'That file looks like malware.', code: 'message_rejected' });
    expect(answer.status).toBe(400);
    expect(seen.some((input) => input.file?.filename === 'virus.txt')).toBe(true);
    expect(await stored(recruiter, room.uuid)).toEqual([]);
    expect(await readdir(join(server.dataDir, 'media', 'chat_files')).catch(() => [])).toEqual([]);
  });

  it.each([
    ['throws', 'please explode'],
    ['does not answer within its timeout', 'stall for ever'],
    ['rewrites the text into a blank one', 'blank me'],
  ])('fails the request with 503 and stores nothing when the hook %s', async (_, content) => {
    const { recruiter, room } = await roomOfTwo();
    const answer = await recruiter.api.post(RestPaths.createMessage, { chat_room: room.uuid, content });
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ detail: expect.stringMatching(/nothing was stored/), code: 'unavailable' });
    expect(await stored(recruiter, room.uuid)).toEqual([]);
    // The server goes on: the next message passes.
    await sendText(recruiter, room, 'fine now');
  });

  it('is not asked about messages to a room the caller is not in', async () => {
    const { room } = await roomOfTwo();
    const outsider = newUser(server);
    const before = seen.length;
    const answer = await outsider.api.post(RestPaths.createMessage, {
      chat_room: room.uuid,
      content: 'a forbidden word',
    });
    expect(answer.status).toBe(404);
    expect(seen.length).toBe(before);
  });
});
