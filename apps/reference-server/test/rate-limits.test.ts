import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RestPaths } from '@hirechat/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { newSecret, newUser, type User } from './support/chat.js';
import { type Cluster, startCluster } from './support/cluster.js';
import { cleanEnv, type ServerProcess, startServerProcess } from './support/processes.js';

/*
 * The limits as the reference server's environment sets them (README, "Configuration"): the
 * RATE_LIMIT_* variables size them, RATE_LIMITS=off turns them off, and with REDIS_URL the
 * processes of a deployment count together.
 */

const SMALL_READS = { RATE_LIMIT_READS_PER_S: '2', RATE_LIMIT_READS_BURST: '4' };

async function listRooms(url: string, user: User) {
  const response = await fetch(url + RestPaths.listRooms, {
    headers: { Authorization: `Bearer ${user.token}` },
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    body: (await response.json()) as unknown,
    limit: response.headers.get('ratelimit-limit'),
    retryAfter: response.headers.get('retry-after'),
  };
}

/** Reads one after another until one is refused; answers how many went through first. */
async function readsUntilRefused(urls: string[], user: User, most: number) {
  for (let i = 0; i < most; i++) {
    const answer = await listRooms(urls[i % urls.length]!, user);
    if (answer.status === 429) return { allowed: i, refusal: answer };
    expect(answer.status).toBe(200);
  }
  throw new Error(`no 429 within ${most} reads`);
}

describe('the reference server’s limits', () => {
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let cluster: Cluster | undefined;

  afterEach(async () => {
    await server?.kill();
    await cluster?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    server = undefined;
    cluster = undefined;
    dataDir = undefined;
  });

  async function start(env: NodeJS.ProcessEnv) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-limits-'));
    const secret = newSecret();
    server = await startServerProcess({ ...cleanEnv(), DATA_DIR: dataDir, JWT_SECRET: secret, ...env });
    return { server, secret };
  }

  it('sizes the limits from RATE_LIMIT_*', async () => {
    const { server, secret } = await start(SMALL_READS);
    const user = newUser(secret, 'client');
    const { allowed, refusal } = await readsUntilRefused([server.url], user, 10);
    expect(allowed).toBeGreaterThanOrEqual(4);
    expect(refusal.body).toEqual({
      detail: expect.stringMatching(/^Request was throttled/),
      code: 'rate_limited',
    });
    expect(refusal.limit).toBe('4');
    expect(Number(refusal.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('limits nothing with RATE_LIMITS=off, and says so in its log', async () => {
    const { server, secret } = await start({ ...SMALL_READS, RATE_LIMITS: 'off' });
    const user = newUser(secret, 'client');
    for (let i = 0; i < 12; i++) {
      const answer = await listRooms(server.url, user);
      expect(answer.status).toBe(200);
      expect(answer.limit).toBeNull();
    }
    await server.output.waitFor((record) => String(record.msg).startsWith('RATE_LIMITS=off'));
  });

  it('counts a user’s requests to every process of a deployment together (REDIS_URL)', async () => {
    cluster = await startCluster({ processes: 2, env: SMALL_READS });
    const user = newUser(cluster.secret, 'client');
    const urls = cluster.servers.map((process) => process.url);
    // Alternating between the two: four in all go through, not four on each.
    const { allowed } = await readsUntilRefused(urls, user, 10);
    expect(allowed).toBeGreaterThanOrEqual(4);
    expect(allowed).toBeLessThan(8);
  });
});
