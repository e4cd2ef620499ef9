import { setTimeout as sleep } from 'node:timers/promises';
import { WebhookHeaders } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { withMessage } from './support/processes.js';
import { createdOf, roomWithMessages, runCli, useWebhookDeployments } from './support/webhooks.js';

/*
 * Issue 11, delivery in a process of its own: a server with WEBHOOK_DELIVER=off queues every event
 * and sends none; `npm run webhooks -- deliver`, started apart with the same environment, sends
 * them all; stopped with SIGTERM, it exits 0 and leaves what it could not send queued for its next
 * run. On SQLite (two processes on one file) and on PostgreSQL.
 */

const world = useWebhookDeployments();
/** The WEBHOOK_POLL_MS of these tests' deployments. */
const POLL_MS = 50;

describe.each(['sqlite', 'postgres'] as const)('npm run webhooks -- deliver on %s', (kind) => {
  it('sends what a server with WEBHOOK_DELIVER=off queued, and leaves the rest for its next run when stopped', async () => {
    const { receiver, jwtSecret, start, startDeliverer } = await world(kind, { WEBHOOK_DELIVER: 'off' });
    const server = await start();
    await server.output.waitFor(withMessage('queueing webhooks for npm run webhooks -- deliver'));
    const first = await roomWithMessages(server, jwtSecret, 10, 'queued');
    // A delivering server sends within milliseconds of each commit, and polls every 50 ms: ten
    // polls without a request is a server that does not send.
    await sleep(10 * POLL_MS);
    expect(receiver.received).toEqual([]);

    // A deliverer meets a receiver that is down, and is stopped with what it could not send.
    await receiver.stop();
    const stopped = await startDeliverer();
    await stopped.output.waitFor(withMessage('webhook not delivered'));
    expect(await stopped.stop()).toBe(0);
    expect(stopped.output.records.map((record) => record.msg)).toContain('stopped');
    expect(receiver.received).toEqual([]);

    // Back: the next run sends the backlog, and what the server queues meanwhile.
    await receiver.start();
    const deliverer = await startDeliverer();
    const second = await roomWithMessages(server, jwtSecret, 5, 'live');
    for (const uuid of [...first.uuids, ...second.uuids]) await receiver.waitFor(createdOf(uuid));
    for (const { room } of [first, second]) {
      await receiver.waitFor(
        (r) => r.event?.type === 'room.created' && r.event.data.room.uuid === room && r.answer === 200,
      );
    }
    // A last write: its delivery comes after any duplicate of the ones before.
    const marker = await roomWithMessages(server, jwtSecret, 1, 'marker');
    await receiver.waitFor(createdOf(marker.uuids[0]!));
    const delivered = receiver.received.filter((r) => r.answer === 200);
    expect(delivered.every((r) => r.verified)).toBe(true);
    const ids = delivered.map((r) => r.headers[WebhookHeaders.id]);
    expect(ids.length).toBe(3 + 10 + 5 + 1);
    expect(new Set(ids).size).toBe(ids.length);

    expect(await deliverer.stop()).toBe(0);
    expect(await server.stop()).toBe(0);
  }, 90_000);
});

describe('npm run webhooks -- deliver', () => {
  it('refuses to start without WEBHOOK_URLS, saying so', async () => {
    const { env } = await world('sqlite');
    const { WEBHOOK_URLS: _urls, WEBHOOK_SECRET: _secret, ...without } = env;
    const run = await runCli(['deliver'], without);
    expect(run.code).toBe(1);
    // After a warning for each WEBHOOK_ variable set without it (the world sets several).
    expect(run.stderr).toMatch(/^error: WEBHOOK_URLS is unset: there is nothing to deliver to/m);
    expect(run.stderr).toContain('warning: WEBHOOK_POLL_MS is set but WEBHOOK_URLS is not');
  });
});
