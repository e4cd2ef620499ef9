import { type Message, RestPaths, type WebhookEventMap } from '@hirechat/protocol';
import { startWebhookReceiver, type TestServer, type WebhookReceiver } from '@hirechat/server-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type User, useTwoServers } from '../live/two-servers.js';
import type { TestSocket } from '../ws/socket.js';
import { FAST, newWebhookSecret } from './support.js';

/*
 * Issue 11, `message.unread` across processes: two servers on one PostgreSQL database, each with
 * its own RedisPresenceState over one Redis, both queueing webhooks to one receiver and both
 * scanning for unread messages (or only the first, where a test needs to know which one looks). A
 * user online on the second server is not told of a message written through the first; an offline
 * user is told of a burst written through both once, not once per server; a user who reads in
 * time is told nothing.
 */

/**
 * The delay of these tests, in seconds: long enough for a test to act within it (a read right after
 * each write), with both servers in the test's process on a loaded, shared machine.
 */
const DELAY_S = 2;
const SCANNING = { notifyAfterS: DELAY_S, checkIntervalMs: 20 };
/** A scan that never runs within a test: the other server alone looks. */
const NOT_SCANNING = { notifyAfterS: DELAY_S, checkIntervalMs: 60 * 60 * 1000 };

type Unread = WebhookEventMap['message.unread'];

describe('message.unread across two servers on PostgreSQL and Redis', () => {
  const twoServers = useTwoServers();
  const receivers: WebhookReceiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });

  async function start(secondScans: boolean) {
    const secret = newWebhookSecret();
    const receiver = await startWebhookReceiver(secret);
    receivers.push(receiver);
    const webhooks = { urls: [receiver.url], secret, ...FAST };
    const servers = await twoServers({
      states: 'redis',
      options: [
        { webhooks, unread: SCANNING },
        { webhooks, unread: secondScans ? SCANNING : NOT_SCANNING },
      ],
    });
    const { first, call } = servers;
    const recruiter = servers.user();

    const createRoom = async (clients: User[]): Promise<string> => {
      const answer = await call(first, recruiter.token, 'POST', RestPaths.createRoom, {
        recruiter: recruiter.id,
        clients: clients.map((client) => client.id),
      });
      expect(answer.status).toBe(201);
      return (answer.body as { uuid: string }).uuid;
    };
    const send = async (server: TestServer, room: string, content: string): Promise<Message> => {
      const answer = await call(server, recruiter.token, 'POST', RestPaths.createMessage, {
        chat_room: room,
        content,
      });
      expect(answer.status).toBe(201);
      return answer.body as Message;
    };
    const unreadOf = (user: User, room: string): Unread[] =>
      receiver.events.filter(
        (e): e is Unread =>
          e.type === 'message.unread' && e.data.user_id === user.id && e.data.message.chat_room === room,
      );
    const told = (user: User, message: Message) =>
      receiver.waitFor(
        (r) =>
          r.event?.type === 'message.unread' &&
          r.event.data.user_id === user.id &&
          r.event.data.message.uuid === message.uuid,
      );
    /**
     * Resolves once every message sent so far has been settled, and its notifications delivered:
     * messages are looked at in the order they were stored, so a later message's notification
     * comes with or after those of the messages before; a second one, settled after the first
     * came, comes after the deliveries of the first's batch.
     */
    const settled = async () => {
      for (let i = 0; i < 2; i++) {
        const marker = servers.user();
        const room = await createRoom([marker]);
        await told(marker, await send(first, room, 'marker'));
      }
    };
    /** Opens the user's socket on the server and waits until it counts them online. */
    const comeOnline = async (server: TestServer, room: string, user: User): Promise<TestSocket> => {
      const socket = await servers.open(server, room, user.token);
      await socket.next('presence', (e) => e.online_users.includes(user.id));
      return socket;
    };
    return { servers, receiver, createRoom, send, unreadOf, told, settled, comeOnline };
  }

  it('tells an offline user of a burst written through both once, and nobody who reads in time or is online on the other', async () => {
    const { servers, receiver, createRoom, send, unreadOf, told, settled, comeOnline } = await start(true);
    const { first, second } = servers;
    const [offline, reader, online] = [servers.user(), servers.user(), servers.user()];
    const room = await createRoom([offline, reader, online]);
    await comeOnline(second, room, online);

    const burst: Message[] = [];
    for (let i = 0; i < 6; i++) {
      const message = await send(i % 2 === 0 ? first : second, room, `burst ${i}`);
      burst.push(message);
      // Read at once, through the other server than the one written through.
      await (i % 2 === 0 ? second : first).server.plugins.hirechat.chat.markRead(
        { room, user: reader.id, admittedSeq: 0 },
        message.uuid,
      );
    }
    await told(offline, burst[0]!);
    await settled();

    expect(unreadOf(offline, room).map((e) => e.data.message.uuid)).toEqual([burst[0]!.uuid]);
    expect(unreadOf(reader, room)).toEqual([]);
    expect(unreadOf(online, room)).toEqual([]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('does not tell a user online on the second server, nor one who came by there, of a message written through the first, which alone looks', async () => {
    const { servers, createRoom, send, unreadOf, told, settled, comeOnline } = await start(false);
    const { first, second } = servers;
    const [offline, online, visitor] = [servers.user(), servers.user(), servers.user()];
    const room = await createRoom([offline, online, visitor]);
    await comeOnline(second, room, online);

    const message = await send(first, room, 'are you there?');
    // The visitor comes by on the second server within the delay, and leaves again.
    const visit = await comeOnline(second, room, visitor);
    await visit.close();

    // The first server looked at the message: the offline user is told.
    await told(offline, message);
    await settled();
    expect(unreadOf(online, room)).toEqual([]);
    expect(unreadOf(visitor, room)).toEqual([]);
  });
});
