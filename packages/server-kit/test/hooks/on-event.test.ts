import { RestPaths, type WebhookEvent } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { createRoom, expectMessage, newUser, sendText, useTestServer } from '../rest/http.js';
import { EventRecorder } from './event-recorder.js';

/*
 * Issue 11: the `onEvent` hook receives every committed domain event, in the shape webhooks carry,
 * in commit order per room, after the commit and off the request's path. A hook that throws or
 * hangs loses no write and holds up no request.
 */

/** The events of one room, in the order the hook got them. */
function ofRoom(events: readonly WebhookEvent[], room: string): WebhookEvent[] {
  return events.filter((event) => {
    switch (event.type) {
      case 'room.created':
      case 'room.updated':
        return event.data.room.uuid === room;
      case 'room.member_removed':
        return event.data.room_id === room;
      case 'message.read':
        return event.data.chat_room === room;
      default:
        return event.data.message.chat_room === room;
    }
  });
}

describe('the onEvent hook', () => {
  const events = new EventRecorder();
  const server = useTestServer({ hooks: { onEvent: events.hook } });

  it('receives every kind of committed event, in commit order, in the protocol shape', async () => {
    const recruiter = newUser(server);
    const client = newUser(server);
    const other = newUser(server);
    const room = await createRoom(recruiter, recruiter, [client]);
    const message = await sendText(recruiter, room, 'hello');
    const edited = expectMessage(
      await recruiter.api.patch(RestPaths.messageDetail(message.uuid), { content: 'hello again' }),
    );
    const chat = server.server.plugins.hirechat.chat;
    await chat.markRead({ room: room.uuid, user: client.id, admittedSeq: 0 }, message.uuid);
    expect((await recruiter.api.post(RestPaths.roomClients(room.uuid), { clients: [other.id] })).status).toBe(
      200,
    );
    expect((await recruiter.api.delete(RestPaths.roomClient(room.uuid, other.id))).status).toBe(204);
    expect((await recruiter.api.delete(RestPaths.messageDetail(message.uuid))).status).toBe(204);

    await events.waitFor((e) => e.type === 'message.deleted' && e.data.message.uuid === message.uuid);
    const base = { uuid: room.uuid, recruiter: recruiter.id, created_at: room.created_at };
    const withOther = [client.id, other.id].sort();
    expect(ofRoom(events.events, room.uuid)).toEqual([
      {
        type: 'room.created',
        timestamp: expect.any(String),
        data: { room: { ...base, clients: [client.id] } },
      },
      // Stamped with the moment of the write: the message's own timestamp.
      { type: 'message.created', timestamp: message.timestamp, data: { message } },
      { type: 'message.updated', timestamp: expect.any(String), data: { message: edited } },
      {
        type: 'message.read',
        timestamp: expect.any(String),
        data: { message_id: message.uuid, user_id: client.id, chat_room: room.uuid },
      },
      {
        type: 'room.updated',
        timestamp: expect.any(String),
        data: { room: { ...base, clients: withOther } },
      },
      {
        type: 'room.updated',
        timestamp: expect.any(String),
        data: { room: { ...base, clients: [client.id] } },
      },
      {
        type: 'room.member_removed',
        timestamp: expect.any(String),
        data: { room_id: room.uuid, user_id: other.id },
      },
      {
        type: 'message.deleted',
        timestamp: expect.any(String),
        data: { message: { ...edited, is_viewed: true, read_by: [client.id] } },
      },
    ]);
    const times = ofRoom(events.events, room.uuid).map((event) => event.timestamp);
    expect(times).toEqual([...times].sort());
    expect(events.invalid).toEqual([]);
  });

  it('hears nothing of a write that did not happen', async () => {
    const recruiter = newUser(server);
    const room = await createRoom(recruiter, recruiter, [newUser(server)]);
    const again = await recruiter.api.post(RestPaths.createRoom, {
      recruiter: recruiter.id,
      clients: room.clients,
    });
    expect(again.status).toBe(200);
    await sendText(recruiter, room, 'marker');
    await events.waitFor((e) => e.type === 'message.created' && e.data.message.chat_room === room.uuid);
    expect(ofRoom(events.events, room.uuid).map((e) => e.type)).toEqual(['room.created', 'message.created']);
  });
});

describe('an onEvent hook that fails', () => {
  const calls: WebhookEvent[] = [];
  const delivered = new EventRecorder();
  const server = useTestServer({
    hooks: {
      timeoutMs: 200,
      async onEvent(event) {
        calls.push(event);
        if (event.type !== 'message.created') return;
        const content = event.data.message.content ?? '';
        if (content.startsWith('throw')) throw new Error('the CRM is down');
        if (content.startsWith('hang')) return new Promise<never>(() => {});
        delivered.hook(event);
      },
    },
  });

  it('loses no write when it throws or hangs, and the room’s next events still come, in order', async () => {
    const recruiter = newUser(server);
    const room = await createRoom(recruiter, recruiter, [newUser(server)]);
    const thrown = await sendText(recruiter, room, 'throw 1');
    const hung = await sendText(recruiter, room, 'hang 2');
    const after = await sendText(recruiter, room, 'fine 3');

    await delivered.waitFor((e) => e.type === 'message.created' && e.data.message.uuid === after.uuid);
    const created = calls.filter(
      (e) => e.type === 'message.created' && e.data.message.chat_room === room.uuid,
    );
    expect(created.map((e) => e.type === 'message.created' && e.data.message.uuid)).toEqual([
      thrown.uuid,
      hung.uuid,
      after.uuid,
    ]);
    const listed = await recruiter.api.get(`${RestPaths.listMessages}?chat_room=${room.uuid}`);
    expect((listed.body as { content: string }[]).map((m) => m.content)).toEqual([
      'throw 1',
      'hang 2',
      'fine 3',
    ]);
  });
});

describe('a slow onEvent hook', () => {
  /** Released by the test: until then the hook's call waits, far longer than any test may take. */
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const delivered = new EventRecorder();
  const server = useTestServer({
    hooks: {
      timeoutMs: 600_000,
      async onEvent(event) {
        if (event.type === 'message.created') await released;
        delivered.hook(event);
      },
    },
  });

  it('never holds up a request: creates answer while the hook still waits on the first', async () => {
    const recruiter = newUser(server);
    const room = await createRoom(recruiter, recruiter, [newUser(server)]);
    // Were the request to wait for the hook, this would not answer before the test's own timeout.
    const first = await sendText(recruiter, room, 'the hook waits on this one');
    const second = await sendText(recruiter, room, 'and this one waits its turn');
    expect(delivered.events.filter((e) => e.type === 'message.created')).toEqual([]);
    release();
    await delivered.waitFor((e) => e.type === 'message.created' && e.data.message.uuid === second.uuid);
    expect(
      delivered.events.flatMap((e) => (e.type === 'message.created' ? [e.data.message.uuid] : [])),
    ).toEqual([first.uuid, second.uuid]);
  });
});
