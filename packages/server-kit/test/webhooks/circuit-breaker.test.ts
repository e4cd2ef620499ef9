import { EventEmitter, once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { WebhookHeaders } from '@hirechat/protocol';
import type { ReceivedWebhook, WebhookReceiver } from '@hirechat/server-kit/testing';
import { describe, expect, it } from 'vitest';
import { createRoom, newUser, sendText } from '../rest/http.js';
import { DATABASES, useWebhookWorld } from './support.js';

/*
 * Issue 11, the per-URL circuit breaker of the delivery loop (README, "Delivery"): a receiver that
 * is down while many events pile up is tried once per backoff, not once per event; once it is
 * back, every event is delivered, once each. Two real ways of being down: a server answering 503,
 * and one that takes each connection and closes it at once (no HTTP answer at all); each attempt
 * is counted where it arrives. Delivery is in no guaranteed order (README), so order is not
 * checked.
 */

/** Backoff of the URL: the first from 150 ms to 300 ms, then 300 ms (the cap). */
const BACKOFF = { minRetryDelayMs: 150, maxRetryDelayMs: 300 } as const;
/** Events queued while the receiver is down. */
const PILED_UP = 30;
/** Attempts watched while they are down. */
const WATCHED = 5;

/** A receiver that is down, and what arrived at it meanwhile: the time of each attempt. */
interface Down {
  attempts: number[];
  waitForAttempts(count: number): Promise<void>;
  /** The receiver answers 200 again, on the same URL. */
  back(): Promise<void>;
}

/** The receiver answers every request 503. */
function answering503(receiver: WebhookReceiver): Down {
  const from = receiver.received.length;
  receiver.answer = 503;
  const failed = () => receiver.received.slice(from).filter((r: ReceivedWebhook) => r.answer === 503);
  return {
    get attempts() {
      return failed().map((r) => r.at);
    },
    waitForAttempts: async (count) => {
      await receiver.waitForCount(from + count, () => true);
    },
    back: async () => {
      receiver.answer = 200;
    },
  };
}

/** The receiver's port is taken by a server that closes every connection as it comes. */
async function closingConnections(receiver: WebhookReceiver): Promise<Down> {
  await receiver.stop();
  const attempts: number[] = [];
  const arrived = new EventEmitter();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    attempts.push(Date.now());
    socket.destroy();
    arrived.emit('attempt');
  });
  server.on('connection', (socket) => sockets.add(socket));
  server.listen(receiver.port, '127.0.0.1');
  await once(server, 'listening');
  return {
    attempts,
    waitForAttempts: async (count) => {
      while (attempts.length < count) await once(arrived, 'attempt');
    },
    back: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await receiver.start();
    },
  };
}

const WAYS: ReadonlyArray<[string, (receiver: WebhookReceiver) => Down | Promise<Down>]> = [
  ['answering 503', answering503],
  ['closing every connection', closingConnections],
];

describe.each(DATABASES)('the circuit breaker on %s', (_, database) => {
  const world = useWebhookWorld(database);

  it.each(WAYS)(
    'tries a receiver %s once per backoff, not once per event, and delivers everything once when it is back',
    async (_way, goDown) => {
      const { receiver, server } = await world.start();
      const ts = await server({ webhooks: { ...BACKOFF, timeoutMs: 2_000 } });
      const recruiter = newUser(ts);
      const room = await createRoom(recruiter, recruiter, [newUser(ts)]);
      await receiver.waitFor((r) => r.event?.type === 'room.created' && r.answer === 200);

      const down = await goDown(receiver);
      // One event meets the receiver down: the URL is left alone from then on...
      const sent = [await sendText(recruiter, room, 'the first to fail')];
      await down.waitForAttempts(1);
      // ...while many more pile up, every one of them due.
      for (let i = 0; i < PILED_UP; i++) sent.push(await sendText(recruiter, room, `piled up ${i}`));
      await down.waitForAttempts(WATCHED);

      // One attempt at a time, each a backoff after the one before: without the breaker, every
      // event due would be attempted at once (sixteen at a time), and each again after its own backoff.
      const attempts = down.attempts.slice(0, WATCHED);
      for (let n = 1; n < attempts.length; n++) {
        const gap = attempts[n]! - attempts[n - 1]!;
        expect(gap, `wait before attempt ${n + 1}`).toBeGreaterThanOrEqual(BACKOFF.minRetryDelayMs);
      }

      await down.back();
      const isDelivered = (uuid: string) => (r: ReceivedWebhook) =>
        r.event?.type === 'message.created' && r.event.data.message.uuid === uuid && r.answer === 200;
      for (const message of sent) await receiver.waitFor(isDelivered(message.uuid));
      // A last write: its delivery comes after any duplicate of the ones before.
      const marker = await sendText(recruiter, room, 'marker');
      await receiver.waitFor(isDelivered(marker.uuid));

      const delivered = receiver.received.filter((r) => r.answer === 200);
      const ids = delivered.map((r) => r.headers[WebhookHeaders.id]);
      expect(new Set(ids).size).toBe(ids.length);
      // The room, the messages that piled up, the marker.
      expect(ids.length).toBe(1 + sent.length + 1);
      expect(delivered.every((r) => r.verified)).toBe(true);
      expect(await ts.server.plugins.hirechat.webhooks?.failed()).toEqual([]);
    },
    30_000,
  );
});
