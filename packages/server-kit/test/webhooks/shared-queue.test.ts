import { WebhookHeaders } from '@hirechat/protocol';
import { createTestDatabase, type TestDatabase } from '@hirechat/server-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, newUser, sendText } from '../rest/http.js';
import { RecordingLogger, useWebhookWorld } from './support.js';

/*
 * Issue 11: two servers on one PostgreSQL share the webhook queue: between them each event is
 * delivered once (FOR UPDATE SKIP LOCKED, and a lease per delivery), also when both work through a
 * backlog that piled up while the receiver was down.
 */

const MESSAGES_EACH = 30;

describe('two servers on one PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });
  const world = useWebhookWorld({ kind: 'sqlite' });

  it('deliver each event once between them, a backlog included', async () => {
    const { receiver, server } = await world.start();
    const logs = [new RecordingLogger(), new RecordingLogger()];
    const shared = { kind: 'postgres', url: database.url } as const;
    // Normal operation: no attempt outlasts its timeout (one that did would be sent again, rightly).
    const servers = await Promise.all(
      logs.map((logger) => server({ logger, database: shared, webhooks: { timeoutMs: 10_000 } })),
    );
    const rooms = await Promise.all(
      servers.map(async (ts) => {
        const recruiter = newUser(ts);
        return { ts, recruiter, room: await createRoom(recruiter, recruiter, [newUser(ts)]) };
      }),
    );
    await receiver.waitForCount(2, (r) => r.event?.type === 'room.created');
    await receiver.stop();

    // Both write while the receiver is down; both try the backlog and fail.
    await Promise.all(
      rooms.map(async ({ recruiter, room }) => {
        for (let i = 0; i < MESSAGES_EACH; i++) await sendText(recruiter, room, `backlog ${i}`);
      }),
    );
    await Promise.all(logs.map((log) => log.waitFor((line) => line.message === 'webhook not delivered')));
    await receiver.start();

    const total = 2 + 2 * MESSAGES_EACH;
    const delivered = await receiver.waitForCount(total, (r) => r.answer === 200);
    const ids = delivered.map((r) => r.headers[WebhookHeaders.id]);
    expect(new Set(ids).size).toBe(total);
    const messages = delivered.flatMap((r) =>
      r.event?.type === 'message.created' ? [r.event.data.message.uuid] : [],
    );
    expect(new Set(messages).size).toBe(2 * MESSAGES_EACH);
    // A late duplicate would come after the last first delivery: the servers go on polling while
    // a write of each marks where the queue stood, and its delivery comes after any duplicate.
    for (const { recruiter, room } of rooms) {
      const marker = await sendText(recruiter, room, 'marker');
      await receiver.waitFor(
        (r) => r.event?.type === 'message.created' && r.event.data.message.uuid === marker.uuid,
      );
    }
    const all = receiver.received.filter((r) => r.answer === 200).map((r) => r.headers[WebhookHeaders.id]);
    expect(all.length).toBe(new Set(all).size);
  });
});
