import { describe, expect, it } from 'vitest';
import { useChat } from './fixture.js';

/*
 * Contract, "Rooms that change": the room socket's `room_updated` carries the room as every
 * participant sees it alike (no caller's fields), with a seq of the room's log, and is replayed
 * with `?since=` like message events.
 */
describe('WebSocket: room_updated', () => {
  const harness = useChat();

  it('tells every socket of the room when clients are added, exactly, with the next seq', async () => {
    const chat = await harness.start();
    const [recruiter, a, b] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(recruiter, [a]);
    const sockets = [await chat.connect(recruiter, room.uuid), await chat.connect(a, room.uuid)];
    const before = await chat.post(a, room.uuid, 'before b');

    await chat.addClients(recruiter, room.uuid, [b]);

    const updated = {
      type: 'room_updated',
      room: {
        uuid: room.uuid,
        recruiter: recruiter.id,
        clients: [a.id, b.id].sort(),
        created_at: room.created_at,
      },
      seq: 2,
    };
    for (const socket of sockets) {
      expect(await socket.nextAny()).toStrictEqual({ type: 'message_created', message: before, seq: 1 });
      // The room's base fields and nothing else: no last_message, no one's unread_count.
      expect(await socket.nextAny()).toStrictEqual(updated);
    }
    // The new client is in at once, and hears what follows.
    const joined = await chat.connect(b, room.uuid);
    const after = await chat.post(recruiter, room.uuid, 'welcome');
    expect(await joined.nextAny()).toStrictEqual({ type: 'message_created', message: after, seq: 3 });
  });

  it('is logged and replayed with since, as it was sent', async () => {
    const chat = await harness.start();
    const [recruiter, a, b] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(recruiter, [a, b]);
    const watcher = await chat.connect(recruiter, room.uuid);
    await chat.removeClient(recruiter, room.uuid, b);
    await chat.addClients(recruiter, room.uuid, [b]);
    const sent = [await watcher.nextAny(), await watcher.nextAny()];
    expect(sent.map((event) => [event.type, 'seq' in event ? event.seq : null])).toEqual([
      ['room_updated', 1],
      ['room_updated', 2],
    ]);

    const resumed = await chat.connect(a, room.uuid, { since: '0' });

    expect([await resumed.nextAny(), await resumed.nextAny(), await resumed.nextAny()]).toStrictEqual([
      ...sent,
      { type: 'typing', typing_users: [] },
    ]);
    expect(await resumed.nextAny()).toStrictEqual({ type: 'synced', seq: 2 });
  });

  it('is sent for a change an admin outside the room makes', async () => {
    const chat = await harness.start();
    const [recruiter, a, b] = [chat.user(), chat.user(), chat.user()];
    const admin = { id: chat.user().id, token: '' };
    admin.token = chat.ts.token({ sub: admin.id, role: 'admin' });
    const room = await chat.room(recruiter, [a]);
    const watcher = await chat.connect(recruiter, room.uuid);

    await chat.addClients(admin, room.uuid, [b]);

    expect(await watcher.nextAny()).toMatchObject({
      type: 'room_updated',
      room: { clients: [a.id, b.id].sort() },
    });
  });

  it('is not sent when an addition changes nothing (every client was in already)', async () => {
    const chat = await harness.start();
    const [recruiter, a] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [a]);
    const watcher = await chat.connect(recruiter, room.uuid);

    await chat.addClients(recruiter, room.uuid, [a]);
    const next = await chat.post(a, room.uuid, 'next');

    expect(await watcher.nextAny()).toStrictEqual({ type: 'message_created', message: next, seq: 1 });
  });
});
