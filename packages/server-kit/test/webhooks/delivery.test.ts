import { RestPaths, type WebhookEvent, WebhookHeaders } from '@hirechat/protocol';
import type { ReceivedWebhook } from '@hirechat/server-kit/testing';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createRoom, newUser, sendText } from '../rest/http.js';
import { DATABASES, FAST, newWebhookSecret, RecordingLogger, useWebhookWorld } from './support.js';

/*
 * Issue 11: outgoing webhooks, against a real HTTP receiver that the test controls (answering 200,
 * 500, hanging past the timeout, or refusing connections), on SQLite and on PostgreSQL. Every
 * event is queued in the transaction of its change and delivered at least once, signed so that
 * the standardwebhooks package's own `verify` accepts it.
 */

const isMessage = (uuid: string) => (request: ReceivedWebhook) =>
  request.event?.type === 'message.created' && request.event.data.message.uuid === uuid;

describe.each(DATABASES)('webhooks on %s', (_, database) => {
  const world = useWebhookWorld(database);

  it('signs every delivery so that standardwebhooks verifies it, and a tampered body does not', async () => {
    const { receiver, secret, server } = await world.start();
    const ts = await server();
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);
    const message = await sendText(recruiter, room, 'hello, platform');

    const delivered = await receiver.waitFor(isMessage(message.uuid));
    const created = await receiver.waitFor((r) => r.event?.type === 'room.created');
    for (const request of [created, delivered]) {
      expect(request.verified).toBe(true);
      expect(new Webhook(secret).verify(request.body, request.headers)).toEqual(JSON.parse(request.body));
      expect(Object.keys(JSON.parse(request.body))).toEqual(['type', 'timestamp', 'data']);
      expect(request.headers[WebhookHeaders.id]).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Number(request.headers[WebhookHeaders.timestamp])).toBeCloseTo(request.at / 1000, -1);
      expect(request.headers[WebhookHeaders.signature]).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    }
    expect(created.headers[WebhookHeaders.id]).not.toBe(delivered.headers[WebhookHeaders.id]);
    expect(delivered.event).toEqual({
      type: 'message.created',
      timestamp: expect.any(String),
      data: { message },
    });

    const tampered = delivered.body.replace('hello, platform', 'hello, attacker');
    expect(tampered).not.toBe(delivered.body);
    expect(() => new Webhook(secret).verify(tampered, delivered.headers)).toThrow(WebhookVerificationError);
    const otherId = { ...delivered.headers, [WebhookHeaders.id]: created.headers[WebhookHeaders.id]! };
    expect(() => new Webhook(secret).verify(delivered.body, otherId)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(newWebhookSecret()).verify(delivered.body, delivered.headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it('retries an answer of 500 with a growing backoff, under one webhook-id, until a 2xx', async () => {
    const { receiver, server } = await world.start();
    const ts = await server();
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);
    receiver.answer = 500;
    const message = await sendText(recruiter, room, 'try, try again');

    const failures = await receiver.waitForCount(4, isMessage(message.uuid));
    receiver.answer = 200;
    const success = await receiver.waitFor((r) => isMessage(message.uuid)(r) && r.answer === 200);
    const attempts = receiver.received.filter(isMessage(message.uuid));
    expect(new Set(attempts.map((r) => r.headers[WebhookHeaders.id])).size).toBe(1);
    expect(attempts.every((r) => r.verified)).toBe(true);
    // After failed attempt n, the next waits at least minRetryDelayMs × 2^(n-1) (and up to twice that).
    for (let n = 1; n < failures.length; n++) {
      const gap = failures[n]!.at - failures[n - 1]!.at;
      expect(gap, `wait after attempt ${n}`).toBeGreaterThanOrEqual(FAST.minRetryDelayMs * 2 ** (n - 1));
    }
    expect(success.answer).toBe(200);
    expect(await ts.server.plugins.hirechat.webhooks?.failed()).toEqual([]);
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    const { receiver, server } = await world.start();
    const ts = await server();
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);
    receiver.answer = 'hang';
    const message = await sendText(recruiter, room, 'are you there?');
    await receiver.waitForCount(2, isMessage(message.uuid));
    receiver.answer = 200;
    await receiver.waitFor((r) => isMessage(message.uuid)(r) && r.answer === 200);
  });

  it('delivers everything once a receiver that refused connections for a while is back', async () => {
    const { receiver, server } = await world.start();
    const logger = new RecordingLogger();
    const ts = await server({ logger });
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);
    await receiver.waitFor((r) => r.event?.type === 'room.created');
    await receiver.stop();

    const messages = [];
    for (let i = 0; i < 5; i++) messages.push(await sendText(recruiter, room, `while you were away ${i}`));
    // The first attempt may meet the connection the receiver dropped as it stopped; then it refuses.
    await logger.waitFor(
      (line) => line.message === 'webhook not delivered' && /ECONNREFUSED/.test(String(line.fields.error)),
    );
    await receiver.start();

    for (const message of messages) {
      await receiver.waitFor((r) => isMessage(message.uuid)(r) && r.answer === 200);
    }
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('keeps a delivery that ran out of retries as failed, and sends it again when asked', async () => {
    const { receiver, server } = await world.start();
    const logger = new RecordingLogger();
    // Retried for a second and a half.
    const ts = await server({ logger, webhooks: { retryHours: 1.5 / 3600 } });
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);
    await receiver.waitFor((r) => r.event?.type === 'room.created');
    receiver.answer = 503;
    const message = await sendText(recruiter, room, 'lost for now');

    await logger.waitFor((line) => line.message === 'webhook not delivered; retries are over');
    const admin = ts.server.plugins.hirechat.webhooks!;
    const [failed, ...others] = await admin.failed();
    expect(others).toEqual([]);
    expect(failed).toMatchObject({
      url: receiver.url,
      type: 'message.created',
      lastError: 'answered 503',
      eventId: receiver.received.find(isMessage(message.uuid))?.headers[WebhookHeaders.id],
    });
    expect(failed!.attempts).toBeGreaterThan(1);

    receiver.answer = 200;
    expect(await admin.retry([failed!.id])).toEqual({ queued: 1, notConfigured: 0 });
    const resent = await receiver.waitFor((r) => isMessage(message.uuid)(r) && r.answer === 200);
    expect(resent.headers[WebhookHeaders.id]).toBe(failed!.eventId);
    expect(await admin.failed()).toEqual([]);
  });

  it('queues nothing for a write that did not happen, and carries every kind of event', async () => {
    const { receiver, server } = await world.start();
    const ts = await server();
    const recruiter = newUser(ts);
    const client = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [client]);
    // Refused writes: an outsider's message, a second creation of the same room.
    expect(
      (await newUser(ts).api.post(RestPaths.createMessage, { chat_room: room.uuid, content: 'x' })).status,
    ).toBe(404);
    expect(
      (await recruiter.api.post(RestPaths.createRoom, { recruiter: recruiter.id, clients: [client.id] }))
        .status,
    ).toBe(200);
    const message = await sendText(recruiter, room, 'hi');
    await ts.server.plugins.hirechat.chat.markRead(
      { room: room.uuid, user: client.id, admittedSeq: 0 },
      message.uuid,
    );
    expect((await recruiter.api.delete(RestPaths.messageDetail(message.uuid))).status).toBe(204);

    // Delivery is in no guaranteed order: wait for each.
    for (const type of ['room.created', 'message.created', 'message.read', 'message.deleted']) {
      await receiver.waitFor((r) => r.event?.type === type && r.body.includes(room.uuid));
    }
    const types = receiver.events
      .filter((e: WebhookEvent) => JSON.stringify(e).includes(room.uuid))
      .map((e) => e.type)
      .sort();
    expect(types).toEqual(['message.created', 'message.deleted', 'message.read', 'room.created']);
    expect(receiver.received.filter((r) => r.event === null)).toEqual([]);
  });
});

describe('webhook options', () => {
  it.each([
    [{ urls: ['ftp://example.com/'], secret: newWebhookSecret() }, /not an http\(s\) URL/],
    [{ urls: ['https://example.com/'], secret: 'not-a-secret' }, /whsec_<base64>/],
    [{ urls: ['https://example.com/'], secret: newWebhookSecret(), timeoutMs: 0 }, /webhooks.timeoutMs/],
    [{ urls: ['https://example.com/'], secret: newWebhookSecret(), retryHours: -1 }, /webhooks.retryHours/],
    // Past the limits a value only breaks later: every write on PostgreSQL, or every unread scan.
    [
      { urls: ['https://example.com/'], secret: newWebhookSecret(), retryHours: 99999999999999 },
      /"webhooks.retryHours" must be a number above 0 and at most 720/,
    ],
    [
      { urls: ['https://example.com/'], secret: newWebhookSecret(), pollIntervalMs: 3_600_001 },
      /"webhooks.pollIntervalMs" must be a whole number from 1 to 3600000/,
    ],
  ])('refuses %j at registration', async (webhooks, message) => {
    const { startTestServer } = await import('@hirechat/server-kit/testing');
    await expect(startTestServer({ database: { kind: 'sqlite' }, webhooks })).rejects.toThrow(message);
  });

  it('refuses an unread delay past a week at registration', async () => {
    const { startTestServer } = await import('@hirechat/server-kit/testing');
    await expect(
      startTestServer({
        database: { kind: 'sqlite' },
        webhooks: { urls: ['https://example.com/'], secret: newWebhookSecret() },
        unread: { notifyAfterS: 99999999999999 },
      }),
    ).rejects.toThrow(/"unread.notifyAfterS" must be a number above 0 and at most 604800/);
  });
});
