import type { ChatRoom, Message, WebhookEventMap } from '@hirechat/protocol';
import type { TestServer, WebhookReceiver } from '@hirechat/server-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { EventRecorder } from '../hooks/event-recorder.js';
import { createRoom, newUser, sendText, type User, useTestServer } from '../rest/http.js';
import { TestSocket } from '../ws/socket.js';
import { DATABASES, useWebhookWorld } from './support.js';

/*
 * Issue 11: `message.unread` tells the platform whom to email: a participant who has neither read
 * a message nor been online (any socket, any process) within the delay of it being sent, at most
 * once per user and room until they next read or come online. Tested with a user who is offline,
 * one who is online, one who reads in time, one who comes by in time, and a burst of messages.
 */

/** The delay of these tests, in seconds: long enough for a test to act within it. */
const DELAY_S = 1;

type Unread = WebhookEventMap['message.unread'];

function unreadOf(receiver: WebhookReceiver, user: User, room: ChatRoom): Unread[] {
  return receiver.events.filter(
    (e): e is Unread =>
      e.type === 'message.unread' && e.data.user_id === user.id && e.data.message.chat_room === room.uuid,
  );
}

describe.each(DATABASES)('message.unread on %s', (_, database) => {
  const world = useWebhookWorld(database);
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.terminate()));
  });

  async function start() {
    const { receiver, server } = await world.start();
    const ts = await server({ unread: { notifyAfterS: DELAY_S, checkIntervalMs: 20 } });
    const recruiter = newUser(ts);
    const client = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [client]);
    /** The recruiter's room socket: it hears who comes and goes. */
    const watcher = await online(ts, recruiter, room);

    /** Waits for the notification of `user` about `message`. */
    const told = async (user: User, message: Message) =>
      (
        await receiver.waitFor(
          (r) =>
            r.event?.type === 'message.unread' &&
            r.event.data.user_id === user.id &&
            r.event.data.message.uuid === message.uuid,
        )
      ).event as Unread;

    /**
     * Resolves once every message sent so far has been settled: messages are looked at in the order
     * they were stored, so when a later one's notification has come, so has any for those before.
     */
    async function settled(): Promise<void> {
      const marker = newUser(ts);
      const markerRoom = await createRoom(recruiter, recruiter, [marker]);
      await told(marker, await sendText(recruiter, markerRoom, 'marker'));
    }

    /** Opens a room socket of the user (who is online from then on) and waits until it counts. */
    async function comeOnline(user: User): Promise<TestSocket> {
      const socket = await online(ts, user, room);
      await watcher.next('presence', (e) => e.online_users.includes(user.id));
      return socket;
    }

    /** Closes the user's socket and waits until the room has heard they left. */
    async function goOffline(socket: TestSocket, user: User): Promise<void> {
      await socket.close();
      await watcher.next('presence', (e) => !e.online_users.includes(user.id));
    }

    return { ts, receiver, recruiter, client, room, told, settled, comeOnline, goOffline };
  }

  async function online(ts: TestServer, user: User, room: ChatRoom): Promise<TestSocket> {
    const socket = new TestSocket({ wsUrl: ts.wsUrl, room: room.uuid, token: user.token, presence: true });
    sockets.push(socket);
    await socket.next('presence', (e) => e.online_users.includes(user.id));
    return socket;
  }

  it('tells a participant who is offline, once, of the message they missed; never its sender', async () => {
    const { receiver, recruiter, client, room, told, settled } = await start();
    const message = await sendText(recruiter, room, 'Rita sent you a message');
    const event = await told(client, message);
    expect(event).toEqual({
      type: 'message.unread',
      timestamp: expect.any(String),
      data: { message, user_id: client.id },
    });
    expect(event.timestamp > message.timestamp).toBe(true);
    await settled();
    expect(unreadOf(receiver, client, room)).toHaveLength(1);
    expect(unreadOf(receiver, recruiter, room)).toEqual([]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('tells nobody who is online when the delay is up', async () => {
    const { receiver, recruiter, client, room, settled, comeOnline } = await start();
    await comeOnline(client);
    await sendText(recruiter, room, 'you are here');
    await settled();
    expect(unreadOf(receiver, client, room)).toEqual([]);
  });

  it('tells nobody who read the message in time', async () => {
    const { ts, receiver, recruiter, client, room, settled } = await start();
    const message = await sendText(recruiter, room, 'read me');
    await ts.server.plugins.hirechat.chat.markRead(
      { room: room.uuid, user: client.id, admittedSeq: 0 },
      message.uuid,
    );
    await settled();
    expect(unreadOf(receiver, client, room)).toEqual([]);
  });

  it('tells nobody who came online within the delay, even if they left again', async () => {
    const { receiver, recruiter, client, room, settled, comeOnline, goOffline } = await start();
    await sendText(recruiter, room, 'drop by');
    await goOffline(await comeOnline(client), client);
    await settled();
    expect(unreadOf(receiver, client, room)).toEqual([]);
  });

  it('tells of a burst of messages once, with its first message', async () => {
    const { receiver, recruiter, client, room, told, settled } = await start();
    const burst: Message[] = [];
    for (let i = 0; i < 5; i++) burst.push(await sendText(recruiter, room, `burst ${i}`));
    await told(client, burst[0]!);
    await settled();
    expect(unreadOf(receiver, client, room).map((e) => e.data.message.uuid)).toEqual([burst[0]!.uuid]);
  });

  it('tells again only after the user has read in the room or come online', async () => {
    const { ts, receiver, recruiter, client, room, told, settled, comeOnline, goOffline } = await start();
    const first = await sendText(recruiter, room, 'first');
    await told(client, first);
    const second = await sendText(recruiter, room, 'second');
    await settled();
    expect(unreadOf(receiver, client, room)).toHaveLength(1);

    // A read (here without a socket, as a platform's own app could) and the user may be told again.
    await ts.server.plugins.hirechat.chat.markRead(
      { room: room.uuid, user: client.id, admittedSeq: 0 },
      second.uuid,
    );
    const third = await sendText(recruiter, room, 'third');
    await told(client, third);

    // So may they after they came online (and went away).
    await goOffline(await comeOnline(client), client);
    const fourth = await sendText(recruiter, room, 'fourth');
    await told(client, fourth);
    expect(unreadOf(receiver, client, room).map((e) => e.data.message.content)).toEqual([
      'first',
      'third',
      'fourth',
    ]);
  });
});

describe('message.unread without webhooks', () => {
  const events = new EventRecorder();
  const server = useTestServer({
    hooks: { onEvent: events.hook },
    unread: { notifyAfterS: 0.5, checkIntervalMs: 20 },
  });

  it('reaches the onEvent hook', async () => {
    const recruiter = newUser(server);
    const client = newUser(server);
    const room = await createRoom(recruiter, recruiter, [client]);
    const message = await sendText(recruiter, room, 'hello?');
    const event = await events.waitFor(
      (e) => e.type === 'message.unread' && e.data.message.uuid === message.uuid,
    );
    expect(event).toEqual({
      type: 'message.unread',
      timestamp: expect.any(String),
      data: { message, user_id: client.id },
    });
  });
});
