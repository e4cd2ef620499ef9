import { type Message, MessageSchema, RestPaths } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { type Chat, type User, useChat } from './fixture.js';

/*
 * The file_url of Messages on sockets is signed when the event is sent, not when it was written:
 * a socket that resumes long after a file was posted gets a URL that works from then on.
 */

const LIFETIME_S = 1;

/** Posts a file over REST (multipart) and answers the message as the server did (201). */
async function postFile(chat: Chat, by: User, room: string, name: string): Promise<Message> {
  const form = new FormData();
  form.append('chat_room', room);
  form.append('file', new Blob(['%PDF-1.4\n']), name);
  const response = await fetch(new URL(RestPaths.createMessage, chat.ts.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${by.token}` },
    body: form,
  });
  expect(response.status).toBe(201);
  return MessageSchema.parse(await response.json());
}

/** The status of a download of the URL with no token. */
async function statusOf(chat: Chat, url: string): Promise<number> {
  const response = await fetch(new URL(url, chat.ts.url));
  await response.arrayBuffer();
  return response.status;
}

describe('WebSocket: file_url', () => {
  const harness = useChat();

  it('carries a URL valid from when each event is sent: live, and replayed after the first expired', async () => {
    const chat = await harness.start({ mediaUrlTtlSeconds: LIFETIME_S });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const live = await chat.connect(recruiter, room.uuid);

    const sent = await postFile(chat, client, room.uuid, 'cv.pdf');
    const created = await live.next('message_created');
    expect(created.message.uuid).toBe(sent.uuid);
    expect(created.message.file_url?.startsWith(`${sent.file}?`)).toBe(true);
    expect(await statusOf(chat, created.message.file_url!)).toBe(200);

    // Long after the write, as lifetimes go: wait until its URLs are refused.
    const firstUrls = [sent.file_url!, created.message.file_url!];
    const deadline = Date.now() + 5_000;
    let statuses = await Promise.all(firstUrls.map((url) => statusOf(chat, url)));
    while (statuses.includes(200) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      statuses = await Promise.all(firstUrls.map((url) => statusOf(chat, url)));
    }
    expect(statuses).toEqual([401, 401]);

    const resumed = await chat.connect(client, room.uuid, { since: '0' });
    const replayed = await resumed.next('message_created');
    await resumed.next('synced');
    expect(replayed.message.uuid).toBe(sent.uuid);
    expect(replayed.message.file_url).not.toBe(sent.file_url);
    expect(await statusOf(chat, replayed.message.file_url!)).toBe(200);
    // Apart from its URL, the replayed event is the one first sent.
    expect({ ...replayed, message: { ...replayed.message, file_url: null } }).toEqual({
      ...created,
      message: { ...created.message, file_url: null },
    });
  });
});
