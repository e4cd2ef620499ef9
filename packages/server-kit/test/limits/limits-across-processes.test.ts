import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CloseCode, INBOX_SOCKET_PATH } from '@hirechat/protocol';
import { startTestServer, type TestServer } from '@hirechat/server-kit/testing';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, quitAll, TEST_REDIS_URL, testPrefix } from '../redis/redis-clients.js';
import { TestSocket } from '../ws/socket.js';

/*
 * Sockets per user across processes that share one Redis (contract, "Limits": "With REDIS_URL,
 * limits hold across every process together"): the count holds over a server in this process and a
 * server process of its own, a socket closed on either gives its place back, and the sockets of a
 * process that dies stop counting within a lease.
 */

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./limits-process.ts', import.meta.url));
const SECRET = 'the secret both processes verify tokens with';
const MAX = 2;
/** Short, so that a dead process's sockets lapse within the test; the default is 30 s. */
const LEASE_SECONDS = 2;

/** A server process of its own, started from source through tsx; answers its URL. */
async function startProcess(prefix: string): Promise<{ child: ChildProcess; wsUrl: string }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@hirechat/source',
      '--import',
      'tsx',
      FIXTURE,
      TEST_REDIS_URL,
      prefix,
      SECRET,
      String(MAX),
      String(LEASE_SECONDS),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  const line = await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line').then(([first]) => String(first)),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the server process exited (${String(code)}):\n${errors}`);
    }),
  ]);
  const { url } = JSON.parse(line) as { url: string };
  return { child, wsUrl: url.replace(/^http/, 'ws') };
}

describe('WebSocket limits across processes sharing a Redis', () => {
  const children: ChildProcess[] = [];
  const servers: TestServer[] = [];
  const sockets: TestSocket[] = [];
  const clients: Redis[] = [];
  let prefix = testPrefix();

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.terminate()));
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    if (clients[0]) await deleteKeys(clients[0], prefix);
    await quitAll(...clients.splice(0));
    prefix = testPrefix();
  });

  /** Opens the token's inbox socket on the server; answers it once open, or closed, as it went. */
  async function inbox(wsUrl: string, token: string) {
    const socket = new TestSocket({ wsUrl, room: '', path: INBOX_SOCKET_PATH, token });
    sockets.push(socket);
    expect(await socket.handshake).toEqual({ kind: 'open' });
    const closed = await socket.closed(1_000).catch(() => null);
    return { socket, refused: closed?.code === CloseCode.TooManySockets, closed };
  }

  it('holds the count over both processes, gives places back on close, and lets a dead process’s sockets lapse', async () => {
    const redis = await connectRedis();
    clients.push(redis);
    const other = await startProcess(prefix);
    children.push(other.child);
    const here = await startTestServer({
      secret: SECRET,
      limits: { redis, keyPrefix: prefix, socketsPerUser: MAX, socketLeaseSeconds: LEASE_SECONDS },
    });
    servers.push(here);
    const token = here.token();

    const first = await inbox(here.wsUrl, token);
    const second = await inbox(other.wsUrl, token);
    expect([first.refused, second.refused]).toEqual([false, false]);
    // Two between them: a third is refused on either process, for as long as both stand.
    expect((await inbox(here.wsUrl, token)).closed?.code).toBe(CloseCode.TooManySockets);
    expect((await inbox(other.wsUrl, token)).closed?.code).toBe(CloseCode.TooManySockets);

    // A place given back on one process is free on the other.
    await first.socket.close();
    const freed = await eventuallyOpen(() => inbox(other.wsUrl, token), 3_000);
    expect((await inbox(here.wsUrl, token)).closed?.code).toBe(CloseCode.TooManySockets);

    // Still held across a renewal: after more than a lease, the live process's sockets still count.
    await new Promise((resolve) => setTimeout(resolve, LEASE_SECONDS * 1000 + 500));
    expect((await inbox(here.wsUrl, token)).closed?.code).toBe(CloseCode.TooManySockets);

    // The other process dies with both places: they lapse within a lease or two.
    other.child.kill('SIGKILL');
    await once(other.child, 'exit');
    expect(freed.socket.isOpen || (await freed.socket.closed()).code === 1006).toBe(true);
    const started = Date.now();
    await eventuallyOpen(() => inbox(here.wsUrl, token), 2 * LEASE_SECONDS * 1000 + 2_000);
    expect(Date.now() - started).toBeLessThanOrEqual(2 * LEASE_SECONDS * 1000 + 2_000);
  });
});

/** Tries to open a socket until one is let in (not refused with 4429), for at most `timeoutMs`. */
async function eventuallyOpen<T extends { refused: boolean; closed: unknown }>(
  open: () => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const attempt = await open();
    if (!attempt.refused) {
      expect(attempt.closed).toBeNull();
      return attempt;
    }
    if (Date.now() > deadline) throw new Error(`still refused after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
