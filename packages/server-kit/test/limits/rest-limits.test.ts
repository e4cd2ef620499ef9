import { DetailErrorBodySchema, RestPaths } from '@hirechat/protocol';
import { startTestServer, type TestServer, type TestServerOptions } from '@hirechat/server-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis, quitAll, testPrefix } from '../redis/redis-clients.js';
import { type Answer, api, createRoom, newUser, type User } from '../rest/http.js';

/*
 * Per-user REST limits (contract, "Limits" and "Errors, continued"), through real servers: a
 * request over its user's limit is a 429 `rate_limited` with Retry-After, every counted answer
 * carries RateLimit-*, reads and writes and users are counted apart, the limit lets requests
 * through again after Retry-After, and with Redis it holds across two servers together.
 */

/** At rest 4 at once, then 2 a second: small enough to reach in a few requests. */
const SMALL = { perSecond: 2, burst: 4 };

const servers: TestServer[] = [];
const redisClients: Awaited<ReturnType<typeof connectRedis>>[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  await quitAll(...redisClients.splice(0));
});

async function start(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

const post = (user: User, room: string, content = 'hi') =>
  user.api.post(RestPaths.createMessage, { chat_room: room, content });

/** The limit headers of an answer, as numbers. */
function limitHeaders(answer: Answer) {
  const header = (name: string) => {
    const value = answer.headers.get(name);
    return value === null ? null : Number(value);
  };
  return {
    limit: header('ratelimit-limit'),
    remaining: header('ratelimit-remaining'),
    reset: header('ratelimit-reset'),
    retryAfter: header('retry-after'),
  };
}

/** Sends requests one after another until one is refused; fails after `most`. */
async function untilRefused(send: () => Promise<Answer>, most: number): Promise<Answer> {
  for (let i = 0; i < most; i++) {
    const answer = await send();
    if (answer.status === 429) return answer;
    expect(answer.status).toBeLessThan(300);
  }
  throw new Error(`no 429 within ${most} requests`);
}

function expectThrottled(answer: Answer): number {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  const body = DetailErrorBodySchema.strict().parse(answer.body);
  expect(body.code).toBe('rate_limited');
  const headers = limitHeaders(answer);
  expect(headers.retryAfter).toBeGreaterThanOrEqual(1);
  expect(headers.reset).toBe(headers.retryAfter);
  expect(headers.remaining).toBe(0);
  expect(body.detail).toBe(
    `Request was throttled. Expected available in ${headers.retryAfter} second${headers.retryAfter === 1 ? '' : 's'}.`,
  );
  return headers.retryAfter!;
}

describe('REST limits', () => {
  it("lets a user's burst through at once, then answers 429 with Retry-After and RateLimit-*, and recovers after it", async () => {
    const server = await start({ limits: { restWrites: SMALL } });
    const [recruiter, client] = [newUser(server), newUser(server)];
    const room = await createRoom(recruiter, recruiter, [client]);

    const burst = await Promise.all(Array.from({ length: SMALL.burst }, () => post(client, room.uuid)));
    for (const answer of burst) {
      expect(answer.status).toBe(201);
      expect(limitHeaders(answer).limit).toBe(SMALL.burst);
    }
    // A fresh user's first request leaves all but one.
    const fresh = newUser(server);
    const first = await fresh.api.get(RestPaths.listRooms);
    expect(limitHeaders(first)).toMatchObject({ limit: 20 * 10, remaining: 20 * 10 - 1 });
    const refused = await untilRefused(() => post(client, room.uuid), 3);
    const retryAfter = expectThrottled(refused);
    expect(limitHeaders(refused).limit).toBe(SMALL.burst);

    // Waiting as long as Retry-After says is enough.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    const again = await post(client, room.uuid);
    expect(again.status).toBe(201);
  });

  it('counts reads and writes apart, and each user apart', async () => {
    const server = await start({ limits: { restWrites: SMALL, restReads: { perSecond: 2, burst: 6 } } });
    const [recruiter, client] = [newUser(server), newUser(server)];
    const room = await createRoom(recruiter, recruiter, [client]);
    expectThrottled(await untilRefused(() => post(client, room.uuid), SMALL.burst + 3));

    // Reads have a budget of their own...
    const read = await client.api.get(RestPaths.listRooms);
    expect(read.status).toBe(200);
    expect(limitHeaders(read).limit).toBe(6);
    expect(limitHeaders(read).remaining).toBeGreaterThanOrEqual(4);
    // ...as has every other user.
    expect((await post(recruiter, room.uuid)).status).toBe(201);
    // Reads run out on their own, refused the same way (a GET that names a message too).
    expectThrottled(await untilRefused(() => client.api.get(RestPaths.listRooms), 6 + 3));
    expectThrottled(await client.api.get(RestPaths.messageDetail(room.uuid)));
  });

  it('counts refused requests too: garbage spends the budget like the real thing', async () => {
    const server = await start({ limits: { restWrites: SMALL } });
    const user = newUser(server);
    const answers = await Promise.all(
      Array.from({ length: SMALL.burst }, () => user.api.post(RestPaths.createMessage, { nonsense: 1 })),
    );
    for (const answer of answers) expect(answer.status).toBe(400);
    expectThrottled(await untilRefused(() => user.api.post(RestPaths.createRoom, {}), 3));
  });

  it('counts no request without a user: health checks and refused tokens carry no limit headers', async () => {
    const server = await start({ limits: { restReads: SMALL } });
    for (let i = 0; i < SMALL.burst + 2; i++) {
      const health = await api(server).get(RestPaths.health);
      expect(health.status).toBe(200);
      expect(limitHeaders(health).limit).toBeNull();
      const anonymous = await api(server, 'not-a-token').get(RestPaths.listRooms);
      expect(anonymous.status).toBe(401);
      expect(limitHeaders(anonymous).limit).toBeNull();
    }
  });

  it('lets browsers read the limit headers (CORS)', async () => {
    const server = await start({ allowedOrigins: ['https://app.example.com'] });
    const user = newUser(server);
    const answer = await user.api.get(RestPaths.listRooms, { origin: 'https://app.example.com' });
    expect(answer.status).toBe(200);
    const exposed = (answer.headers.get('access-control-expose-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(exposed).toEqual(
      expect.arrayContaining([
        'retry-after',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
        'link',
      ]),
    );
  });

  it('lets a burst of 100 message writes through at once by default', async () => {
    const server = await start();
    const [recruiter, client] = [newUser(server), newUser(server)];
    const room = await createRoom(recruiter, recruiter, [client]);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(client, room.uuid, `m${i}`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(201));
    expect(limitHeaders(answers[0]!).limit).toBe(100);
  });

  it('limits nothing with limits: false (RATE_LIMITS=off)', async () => {
    const server = await start({ limits: false });
    const [recruiter, client] = [newUser(server), newUser(server)];
    const room = await createRoom(recruiter, recruiter, [client]);
    const answers = await Promise.all(Array.from({ length: 150 }, () => post(client, room.uuid)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(150).fill(201));
    expect(limitHeaders(answers[0]!).limit).toBeNull();
  });

  it.each([
    [{ limits: { restWrites: { perSecond: 1, burst: 5 } } }, /"limits.restWrites"/],
    [{ limits: { restReads: { perSecond: 10, burst: 10 } } }, /"limits.restReads"/],
    [{ limits: { socketFrames: { points: 0, seconds: 10 } } }, /"limits.socketFrames"/],
    [{ limits: { socketsPerUser: 1.5 } }, /"limits.socketsPerUser"/],
    [{ maxSocketBacklogBytes: 0 }, /"maxSocketBacklogBytes"/],
  ] as const)('refuses to register with limits that make no sense (%j)', async (options, message) => {
    await expect(startTestServer(options as TestServerOptions)).rejects.toThrow(message);
  });

  it('holds across two servers that share a Redis', async () => {
    const redis = await connectRedis();
    redisClients.push(redis);
    const keyPrefix = testPrefix();
    const secret = 'a shared secret of two processes, 32+ chars';
    const limits = { redis, keyPrefix, restReads: SMALL };
    const [a, b] = [await start({ secret, limits }), await start({ secret, limits })];
    const user = newUser(a);
    const onA = user.api;
    const onB = api(b, user.token);
    const first = await Promise.all([onA.get(RestPaths.listRooms), onB.get(RestPaths.listRooms)]);
    const second = await Promise.all([onA.get(RestPaths.listRooms), onB.get(RestPaths.listRooms)]);
    for (const answer of [...first, ...second]) expect(answer.status).toBe(200);
    // Four reads between them is the burst: the next is refused on either server.
    expectThrottled(await untilRefused(() => onB.get(RestPaths.listRooms), 3));
    expectThrottled(await untilRefused(() => onA.get(RestPaths.listRooms), 3));
    // The counts are Redis keys under the prefix.
    expect(await redis.keys(`${keyPrefix}:limits:reads*`)).not.toEqual([]);
  });
});
