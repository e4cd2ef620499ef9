import { randomUUID } from 'node:crypto';
import { type ChatRoom, type Message, RestPaths } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createRoom,
  expectMessage,
  expectMessages,
  expectRooms,
  newUser,
  rawAnswer,
  sendFile,
  sendText,
  type User,
  useTestServer,
} from './http.js';

/*
 * Contract, "Rooms that change": a client removed from a room (or who left) loses it at once, and
 * every path that names the room answers them 404 from then on, its history included: exactly
 * what they would be answered about a room, message or file that never existed.
 */
describe('a client removed from a room', () => {
  const t = useTestServer();
  let recruiter: User;
  let removed: User;
  let stays: User;
  let room: ChatRoom;
  let theirs: Message;
  let others: Message;
  let file: Message;

  beforeAll(async () => {
    recruiter = newUser(t, { role: 'recruiter' });
    removed = newUser(t, { role: 'client' });
    stays = newUser(t, { role: 'client' });
    room = await createRoom(recruiter, recruiter, [removed, stays]);
    theirs = await sendText(removed, room, 'mine, before I was removed');
    others = await sendText(recruiter, room, 'the recruiter’s');
    file = await sendFile(recruiter, room, {
      name: 'offer.pdf',
      data: '%PDF-1.4\n',
      type: 'application/pdf',
    });
    const answer = await recruiter.api.delete(RestPaths.roomClient(room.uuid, removed.id));
    expect(answer.status).toBe(204);
  });

  /** The removed client's answer about the room's thing, and about a made-up one, byte for byte. */
  async function sameAsNothing(method: string, real: string, made: string, json?: (id: string) => unknown) {
    const [aboutRoom, aboutNothing] = await Promise.all([
      rawAnswer(t, removed.token, method, real, json?.(room.uuid)),
      rawAnswer(t, removed.token, method, made, json?.(randomUUID())),
    ]);
    expect(aboutRoom).toEqual(aboutNothing);
    return aboutRoom;
  }

  it('gets 404 for the room’s detail, as for no room', async () => {
    const answer = await sameAsNothing(
      'GET',
      RestPaths.roomDetail(room.uuid),
      RestPaths.roomDetail(randomUUID()),
    );
    expect(answer.status).toBe(404);
  });

  it('no longer has the room in their list, whatever the filter', async () => {
    expect(expectRooms(await removed.api.get(RestPaths.listRooms))).toEqual([]);
    expect(expectRooms(await removed.api.get(`${RestPaths.listRooms}?recruiter=${recruiter.id}`))).toEqual(
      [],
    );
    expect(expectRooms(await removed.api.get(`${RestPaths.listRooms}?client=${stays.id}`))).toEqual([]);
  });

  it('gets 404 for every message of the room, their own included, to read, edit or delete', async () => {
    for (const message of [theirs, others]) {
      for (const [method, json] of [
        ['GET', undefined],
        ['PATCH', () => ({ content: 'edited' })],
        ['PUT', () => ({ content: 'edited' })],
        ['DELETE', undefined],
      ] as const) {
        const answer = await sameAsNothing(
          method,
          RestPaths.messageDetail(message.uuid),
          RestPaths.messageDetail(randomUUID()),
          json,
        );
        expect(answer.status, `${method} ${message.content}`).toBe(404);
      }
    }
    // Nothing was changed or deleted: the room still has them as they were.
    expect(expectMessage(await stays.api.get(RestPaths.messageDetail(theirs.uuid)))).toEqual(theirs);
  });

  it('gets 404 for a post to the room, as for a room that does not exist', async () => {
    const answer = await sameAsNothing('POST', RestPaths.createMessage, RestPaths.createMessage, (id) => ({
      chat_room: id,
      content: 'let me back in',
    }));
    expect(answer.status).toBe(404);
    const history = expectMessages(await stays.api.get(`${RestPaths.listMessages}?chat_room=${room.uuid}`));
    expect(history.map((m) => m.content)).not.toContain('let me back in');
  });

  it('lists none of the room’s messages: the chat_room filter and cursors answer as for none', async () => {
    expect(expectMessages(await removed.api.get(RestPaths.listMessages))).toEqual([]);
    const filtered = await sameAsNothing(
      'GET',
      `${RestPaths.listMessages}?chat_room=${room.uuid}`,
      `${RestPaths.listMessages}?chat_room=${randomUUID()}`,
    );
    expect([filtered.status, filtered.body]).toEqual([200, '[]']);
    for (const cursor of ['before', 'after']) {
      const answer = await sameAsNothing(
        'GET',
        `${RestPaths.listMessages}?${cursor}=${others.uuid}`,
        `${RestPaths.listMessages}?${cursor}=${randomUUID()}`,
      );
      expect(answer.status).toBe(400);
    }
  });

  it('gets 404 for the room’s files with their token, as for a file that does not exist', async () => {
    const answer = await sameAsNothing('GET', file.file!, '/media/chat_files/offer_AbCdEf1.pdf');
    expect(answer.status).toBe(404);
  });

  it('keeps a signed file_url handed out before the removal until it expires, and gets no new one', async () => {
    // A file_url is a bearer capability, as an S3 signed URL is (README, "Files"): it names no
    // one, so it cannot tell who holds it. What the removal takes away is every way to get another.
    const download = await api(t).fetch(file.file_url!);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('%PDF-1.4\n');
    expect((await removed.api.get(RestPaths.messageDetail(file.uuid))).status).toBe(404);
  });

  it('gets 404 for the room’s clients, to add or to remove', async () => {
    const adding = await sameAsNothing(
      'POST',
      RestPaths.roomClients(room.uuid),
      RestPaths.roomClients(randomUUID()),
      () => ({ clients: [removed.id] }),
    );
    expect(adding.status).toBe(404);
    const removing = await sameAsNothing(
      'DELETE',
      RestPaths.roomClient(room.uuid, stays.id),
      RestPaths.roomClient(randomUUID(), stays.id),
    );
    expect(removing.status).toBe(404);
  });

  it('sees the whole room again, history and all, once added back', async () => {
    const other = newUser(t, { role: 'client' });
    const second = await createRoom(recruiter, recruiter, [other, newUser(t)]);
    const before = await sendText(recruiter, second, 'said before you came back');
    await recruiter.api.delete(RestPaths.roomClient(second.uuid, other.id));
    const meanwhile = await sendText(recruiter, second, 'said while you were out');

    const added = await recruiter.api.post(RestPaths.roomClients(second.uuid), { clients: [other.id] });
    expect(added.status).toBe(200);

    const history = expectMessages(await other.api.get(`${RestPaths.listMessages}?chat_room=${second.uuid}`));
    expect(history.map((m) => m.uuid)).toEqual([before.uuid, meanwhile.uuid]);
  });
});
