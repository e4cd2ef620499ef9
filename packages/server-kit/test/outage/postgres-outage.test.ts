import { CloseCode, RestPaths } from '@hirechat/protocol';
import { startTestServer, type TestServer } from '@hirechat/server-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createRoom, expectRooms, newUser, sendText } from '../rest/http.js';
import { TestSocket } from '../ws/socket.js';
import { type PrivatePostgres, startPrivatePostgres } from './private-postgres.js';

/*
 * A server over a PostgreSQL of this test's own, which the test stops and starts again: requests
 * while it is down answer 503 at once (no hang, no 500, no crash), and the server recovers by
 * itself once the database is back.
 */

const UNAVAILABLE = { detail: 'The database is unavailable; try again shortly.', code: 'unavailable' };
/** Far below what a hang would take; a refused connection answers in milliseconds. */
const PROMPTLY_MS = 5_000;

describe('PostgreSQL going down and coming back', () => {
  let postgres: PrivatePostgres;
  let t: TestServer;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    t = await startTestServer({ database: { kind: 'postgres', url: postgres.url } });
  });

  afterAll(async () => {
    await t?.stop();
    await postgres?.destroy();
  });

  it('answers 503 while the database is down, and serves again once it is back', async () => {
    const [recruiter, client] = [newUser(t), newUser(t)];
    const room = await createRoom(recruiter, recruiter, [client]);
    await sendText(client, room, 'before');

    await postgres.stop();

    const started = performance.now();
    // A user the server knows, and one whose token's claims it would have to store first.
    const post = await recruiter.api.post(RestPaths.createMessage, { chat_room: room.uuid, content: 'down' });
    const list = await newUser(t).api.get(RestPaths.listRooms);
    const health = await api(t).get(RestPaths.health);
    // A socket cannot be admitted without the database either: it is closed, as one to retry.
    const socket = new TestSocket({ wsUrl: t.wsUrl, room: room.uuid, token: client.token });
    const closed = await socket.closed();
    expect(performance.now() - started).toBeLessThan(PROMPTLY_MS);
    expect(closed).toEqual({ code: CloseCode.InternalError, reason: UNAVAILABLE.detail });
    for (const answer of [post, list]) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toEqual(UNAVAILABLE);
    }
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ database: 'unreachable' });

    await postgres.start();

    // The same server, not restarted: its pool makes new connections.
    const after = await sendText(recruiter, room, 'after');
    const [listed] = expectRooms(await client.api.get(RestPaths.listRooms));
    expect(listed).toMatchObject({ uuid: room.uuid, last_message: after });
    expect((await api(t).get(RestPaths.health)).status).toBe(200);
  });
});
