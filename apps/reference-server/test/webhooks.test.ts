import { WebhookHeaders } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { createRoom, newUser, postMessage, type User } from './support/chat.js';
import { withMessage } from './support/processes.js';
import { createdOf, roomWithMessages, runCli, useWebhookDeployments } from './support/webhooks.js';

/*
 * Issue 11, the reference server's webhooks as a deployment runs them: everything queued survives
 * a SIGKILL and is delivered after the restart; two processes on one PostgreSQL deliver each event
 * once between them; `npm run webhooks -- failed | retry` works on the server's own configuration;
 * `message.unread` reaches the receiver. A real receiver, on SQLite and PostgreSQL.
 */

const world = useWebhookDeployments();

describe.each(['sqlite', 'postgres'] as const)('the reference server on %s', (kind) => {
  it('delivers every event queued before a SIGKILL once it is started again', async () => {
    const { receiver, jwtSecret, start } = await world(kind);
    await receiver.stop();
    const first = await start();
    const { room, uuids } = await roomWithMessages(first, jwtSecret, 20, 'queued');
    // Every one of them was answered 201, so it is in the queue: its write committed with it.
    await first.kill();
    await receiver.start();

    await start();
    for (const uuid of uuids) await receiver.waitFor(createdOf(uuid));
    await receiver.waitFor((r) => r.event?.type === 'room.created' && r.event.data.room.uuid === room);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    // Two starts of a process from source, and a kill.
  }, 60_000);
});

describe('two reference servers on one PostgreSQL', () => {
  it('deliver each event once between them', async () => {
    const { receiver, jwtSecret, start } = await world('postgres');
    const servers = [await start(), await start()];
    await receiver.stop();
    // A backlog that both take from once the receiver is back, and events as they come after.
    const backlog = await Promise.all(
      servers.map((server, i) => roomWithMessages(server, jwtSecret, 15, `backlog ${i}`)),
    );
    await Promise.all(
      servers.map((server) =>
        server.output.waitFor(withMessage('webhook not delivered'), { timeoutMs: 15_000 }),
      ),
    );
    await receiver.start();
    const live = await Promise.all(
      servers.map((server, i) => roomWithMessages(server, jwtSecret, 15, `live ${i}`)),
    );

    const all = [...backlog, ...live];
    for (const { uuids } of all) for (const uuid of uuids) await receiver.waitFor(createdOf(uuid));
    for (const { room } of all) {
      await receiver.waitFor(
        (r) => r.event?.type === 'room.created' && r.event.data.room.uuid === room && r.answer === 200,
      );
    }
    // A last write on each: its delivery comes after any late duplicate of the ones before.
    for (const [i, server] of servers.entries()) {
      const { uuids } = await roomWithMessages(server, jwtSecret, 1, `marker ${i}`);
      await receiver.waitFor(createdOf(uuids[0]!));
    }
    const delivered = receiver.received
      .filter((r) => r.answer === 200)
      .map((r) => r.headers[WebhookHeaders.id]);
    expect(delivered.length).toBe(4 + 4 * 15 + 2 * 2);
    expect(new Set(delivered).size).toBe(delivered.length);
    // Two processes started from source, 64 writes and their deliveries.
  }, 60_000);
});

describe('npm run webhooks', () => {
  it('lists what ran out of retries, and sends it again', async () => {
    // Retried for about a second.
    const { receiver, jwtSecret, env, start } = await world('sqlite', { WEBHOOK_RETRY_HOURS: '0.0003' });
    const server = await start();
    const recruiter: User = newUser(jwtSecret, 'recruiter');
    const room = await createRoom(server.url, recruiter, [newUser(jwtSecret, 'client')]);
    await receiver.waitFor((r) => r.event?.type === 'room.created' && r.answer === 200);
    receiver.answer = 500;
    const message = (await postMessage(server.url, recruiter, room, 'lost, then found')).body;
    await server.output.waitFor(withMessage('webhook not delivered; retries are over'));

    const listed = await runCli(['failed', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const failed = JSON.parse(listed.stdout) as Array<{
      id: number;
      type: string;
      lastError: string;
      url: string;
    }>;
    expect(failed).toEqual([
      expect.objectContaining({ type: 'message.created', lastError: 'answered 500', url: receiver.url }),
    ]);
    const text = await runCli(['failed'], env);
    expect(text.stdout).toMatch(
      /^id +event id +type +url +attempts +queued at +last error\n\d+ +msg_[0-9a-f]{32} +message\.created/,
    );

    const none = await runCli(['retry', '999999'], env);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe('error: 1 of the ids named no failed delivery (see failed)');
    receiver.answer = 200;
    const retried = await runCli(['retry', '--all'], env);
    expect(retried.stdout.trim()).toBe('Queued 1 delivery again.');
    await receiver.waitFor(createdOf(message.uuid));
    expect((await runCli(['failed'], env)).stdout.trim()).toBe('No failed deliveries.');

    const misuse = await runCli(['retry'], env);
    expect(misuse.code).toBe(1);
    expect(misuse.stderr).toMatch(/^error: retry takes ids, or --all/);
    // Each run of the command starts a process of its own (from source, through tsx).
  }, 90_000);
});

describe('message.unread from the reference server', () => {
  it('tells the platform of a client who is offline', async () => {
    const { receiver, jwtSecret, start } = await world('sqlite', { UNREAD_NOTIFY_AFTER_S: '1' });
    const server = await start();
    const recruiter = newUser(jwtSecret, 'recruiter');
    const client = newUser(jwtSecret, 'client');
    const room = await createRoom(server.url, recruiter, [client]);
    const message = (await postMessage(server.url, recruiter, room, 'Rita sent you a message')).body;
    const unread = await receiver.waitFor((r) => r.event?.type === 'message.unread');
    expect(unread.verified).toBe(true);
    expect(unread.event).toEqual({
      type: 'message.unread',
      timestamp: expect.any(String),
      data: { message, user_id: client.id },
    });
  });
});
