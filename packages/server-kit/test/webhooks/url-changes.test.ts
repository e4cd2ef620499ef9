import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  createPostgresKnex,
  createSqliteKnex,
  KnexDeliveryQueue,
  NOT_CONFIGURED_ERROR,
  WebhookDeliverer,
  WebhookEndpoints,
} from '@hirechat/server-kit';
import { createTestDatabase, type ReceivedWebhook, type TestServer } from '@hirechat/server-kit/testing';
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaUrls } from '../../src/domain/media-urls.js';
import { DeliveryLoop } from '../../src/webhooks/delivery-loop.js';
import { WebhookSender } from '../../src/webhooks/webhook-sender.js';
import { createRoom, newUser, sendText } from '../rest/http.js';
import { DATABASES, FAST, RecordingLogger, useWebhookWorld } from './support.js';

/*
 * A webhook URL's configuration changes while deliveries are queued for it. A delivery is queued
 * with its URL whole: a rotated `?token=` is a new URL for the same endpoint (what redactUrl shows),
 * and what was queued for the old one goes to the new one, pending or failed; what was queued for
 * an endpoint no longer configured fails, with a warning, rather than waiting forever unseen, and
 * `retry` leaves it failed. And the circuit breaker: its pause is capped, and a retry in process ends
 * it. Servers queue (`deliver: false`), a deliverer started afterwards with the new configuration
 * (a restarted process) sends; real receivers, SQLite and PostgreSQL.
 */

const MEDIA_SECRET = randomBytes(32);
const HOUR_MS = 3_600_000;

describe.each(['sqlite', 'postgres'] as const)('webhook URLs that change, on %s', (kind) => {
  const world = useWebhookWorld({ kind: 'sqlite' });
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A server that queues for `urls` and sends nothing, and the queue of its database. */
  async function queueingServer(
    urls: string[],
    retryHours?: number,
  ): Promise<{ ts: TestServer; queue: KnexDeliveryQueue }> {
    const postgres = kind === 'postgres' ? await createTestDatabase() : null;
    if (postgres) cleanups.push(() => postgres.drop());
    const { server } = await world.start();
    const ts = await server({
      webhooks: { urls, deliver: false, ...(retryHours && { retryHours }) },
      ...(postgres && { database: { kind: 'postgres', url: postgres.url } }),
    });
    const knex: Knex = postgres
      ? createPostgresKnex(postgres.url)
      : createSqliteKnex(join(ts.dataDir, 'hirechat.sqlite'));
    cleanups.push(() => knex.destroy());
    return { ts, queue: new KnexDeliveryQueue(knex) };
  }

  function startDeliverer(
    queue: KnexDeliveryQueue,
    secret: string,
    urls: string[],
    logger?: RecordingLogger,
  ): WebhookDeliverer {
    const deliverer = new WebhookDeliverer({
      queue,
      webhooks: { urls, secret, ...FAST },
      mediaUrlSecret: MEDIA_SECRET,
      ...(logger && { logger }),
    });
    deliverer.start();
    cleanups.push(() => deliverer.stop());
    return deliverer;
  }

  it('sends what was queued for a rotated token, pending or failed, to the URL with the new token', async () => {
    const { receiver, secret } = await world.start();
    const one = `${receiver.url}?token=one`;
    const two = `${receiver.url}?token=two`;
    // What it queues is retried for about a second (when it fails).
    const { ts, queue } = await queueingServer([one], 0.0003);
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);

    // The room's event fails for good with the old token...
    receiver.answer = 500;
    const failing = new RecordingLogger();
    const first = startDeliverer(queue, secret, [one], failing);
    await failing.waitFor((line) => line.message === 'webhook not delivered; retries are over');
    await first.stop();
    // ...and a message is queued, pending, for it too.
    const message = await sendText(recruiter, room, 'queued for token one');
    receiver.answer = 200;

    const logger = new RecordingLogger();
    const second = startDeliverer(queue, secret, [two], logger);
    const delivered = await receiver.waitFor(
      (r) =>
        r.event?.type === 'message.created' && r.event.data.message.uuid === message.uuid && r.answer === 200,
    );
    expect(delivered.path).toBe('/hooks?token=two');
    const moved = await logger.waitFor(
      (line) => line.message === 'queued webhooks go to their URL as configured now',
    );
    expect(moved.fields).toEqual({ url: receiver.url, count: 2 });
    expect(JSON.stringify(logger.lines)).not.toMatch(/token=/);

    const [failed] = await queue.listFailed();
    expect(failed).toMatchObject({ type: 'room.created', url: two });
    await second.stop();
    const retried = await queue.retry('all', new WebhookEndpoints([two]), HOUR_MS);
    expect(retried).toEqual({ queued: 1, notConfigured: 0, urls: [two] });
    startDeliverer(queue, secret, [two]);
    const roomCreated = await receiver.waitFor(
      (r) => r.event?.type === 'room.created' && r.event.data.room.uuid === room.uuid && r.answer === 200,
    );
    expect(roomCreated.path).toBe('/hooks?token=two');
  });

  it('fails what was queued for a URL no longer configured, once between processes, and does not retry it', async () => {
    const { receiver, secret } = await world.start();
    const gone = `http://127.0.0.1:${receiver.port}/gone?token=SECRET`;
    const { ts, queue } = await queueingServer([receiver.url, gone]);
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);

    // Two processes start at once with the URL taken out of the configuration.
    const logs = [new RecordingLogger(), new RecordingLogger()];
    const deliverers = logs.map((logger) => startDeliverer(queue, secret, [receiver.url], logger));
    const isRoom = (r: ReceivedWebhook) =>
      r.event?.type === 'room.created' && r.event.data.room.uuid === room.uuid;
    const delivered = await receiver.waitFor(isRoom);
    expect(delivered.path).toBe('/hooks');
    // A stop waits for the start's settling.
    await Promise.all(deliverers.map((deliverer) => deliverer.stop()));

    const warnings = logs
      .flatMap((log) => log.lines)
      .filter((line) => line.message === 'webhooks failed: their URL is no longer in the configuration');
    expect(warnings).toEqual([
      {
        level: 'warn',
        fields: { url: `http://127.0.0.1:${receiver.port}/gone`, count: 1 },
        message: 'webhooks failed: their URL is no longer in the configuration',
      },
    ]);
    const failed = await queue.listFailed();
    expect(failed).toEqual([
      expect.objectContaining({ type: 'room.created', url: gone, lastError: NOT_CONFIGURED_ERROR }),
    ]);

    const retried = await queue.retry('all', new WebhookEndpoints([receiver.url]), HOUR_MS);
    expect(retried).toEqual({ queued: 0, notConfigured: 1, urls: [] });
    expect(await queue.listFailed()).toEqual(failed);
    expect(receiver.received.filter(isRoom)).toHaveLength(1);
  });

  it('probes a URL found down within its longest pause, however long its backoff', async () => {
    const { receiver, secret } = await world.start();
    const { ts, queue } = await queueingServer([receiver.url]);
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);
    receiver.answer = 503;
    const loop = new DeliveryLoop({
      queue,
      sender: new WebhookSender({ secret, timeoutMs: 2_000, media: new MediaUrls({ secret: MEDIA_SECRET }) }),
      urls: [receiver.url],
      concurrency: 4,
      pollIntervalMs: FAST.pollIntervalMs,
      leaseMs: 5_000,
      // The URL's backoff after a failure is an hour...
      schedule: { minDelayMs: HOUR_MS, maxDelayMs: HOUR_MS },
      // ...and its pause a tenth of a second.
      maxPauseMs: 100,
      logger: new RecordingLogger(),
    });
    loop.start();
    cleanups.push(() => loop.stop());
    await receiver.waitFor((r) => r.answer === 503);
    receiver.answer = 200;

    // Due at once, held back only by the breaker: sent at its next probe.
    const message = await sendText(recruiter, room, 'after the outage');
    await receiver.waitFor(
      (r) =>
        r.event?.type === 'message.created' && r.event.data.message.uuid === message.uuid && r.answer === 200,
    );
  });
});

describe.each(DATABASES)('the plugin retry on %s', (_, database) => {
  const world = useWebhookWorld(database);

  it("ends the circuit breaker's pause for the URLs it queued", async () => {
    const { receiver, server } = await world.start();
    receiver.answer = 503;
    const logger = new RecordingLogger();
    // A failure pauses the URL for an hour, capped at a minute; its event fails at once for good.
    const ts = await server({
      logger,
      webhooks: { minRetryDelayMs: HOUR_MS, maxRetryDelayMs: HOUR_MS, retryHours: 0.00005 },
    });
    const recruiter = newUser(ts);
    const room = await createRoom(recruiter, recruiter, [newUser(ts)]);
    await logger.waitFor((line) => line.message === 'webhook not delivered; retries are over');
    receiver.answer = 200;

    const retried = await ts.server.plugins.hirechat.webhooks?.retry('all');
    expect(retried).toEqual({ queued: 1, notConfigured: 0 });
    await receiver.waitFor(
      (r) => r.event?.type === 'room.created' && r.event.data.room.uuid === room.uuid && r.answer === 200,
    );
  });
});
