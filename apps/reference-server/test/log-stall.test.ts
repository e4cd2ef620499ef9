import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, killProcess, spawnFromSource } from './support/processes.js';

/*
 * Issue 9, fault 9: a server whose stdout reader stalls, and then goes away, must go on serving,
 * and must stop within a bound when told to. The reader here is this test process: it reads the
 * server's stdout and stderr pipes until the server listens, then stops reading them (the pipes
 * fill up), and later closes them (the server's writes then fail with EPIPE).
 */

interface StalledServer {
  child: ChildProcess;
  url: string;
  /** Closes the read ends of the server's stdout and stderr, as a log reader that exits does. */
  closeLogReader(): void;
}

/** Starts the server, reads its log until it listens, then reads no more. */
async function startWithStalledLogReader(dataDir: string): Promise<StalledServer> {
  const child = spawnFromSource('main.ts', [], {
    ...cleanEnv(),
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  });
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  let text = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /"port":(\d+)[^\n]*listening on/.exec(text);
      if (!match) return;
      stdout.off('data', onData);
      resolve(Number(match[1]));
    };
    stdout.on('data', onData);
    child.once('exit', () => reject(new Error(`the server exited before listening:\n${text}`)));
  });
  // From here on nobody reads: the pipes fill up, and the server's writes would wait for ever.
  stdout.pause();
  stderr.pause();
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    closeLogReader() {
      stdout.destroy();
      stderr.destroy();
    },
  };
}

/** Asks `count` requests, `concurrency` at a time; each must be answered within `timeoutMs`. */
async function burst(url: string, count: number, concurrency = 16, timeoutMs = 5_000): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** Resolves with how the process ended, and how long after the call it did. */
async function exitOf(child: ChildProcess): Promise<{ code: number | null; afterMs: number }> {
  const started = Date.now();
  if (child.exitCode !== null) return { code: child.exitCode, afterMs: 0 };
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, afterMs: Date.now() - started };
}

describe('a server whose log reader stalls, then goes away', () => {
  let dataDir: string;
  let server: StalledServer | undefined;

  afterEach(async () => {
    if (server) await killProcess(server.child);
    server = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('goes on serving while nobody reads its log, and stops at once on SIGTERM as the reader exits', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-log-stall-'));
    server = await startWithStalledLogReader(dataDir);

    // Each request writes a log line: a few thousand of them are far more than a pipe holds.
    const statuses = await burst(server.url, 3_000);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3_000);

    const exited = exitOf(server.child);
    server.child.kill('SIGTERM');
    server.closeLogReader();
    const { code, afterMs } = await exited;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(5_000);
  }, 60_000);

  it('goes on serving after its log reader has gone (EPIPE), and stops on SIGTERM', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-log-gone-'));
    server = await startWithStalledLogReader(dataDir);
    expect((await burst(server.url, 1_000)).every((status) => status === 200)).toBe(true);

    server.closeLogReader();
    // Every log write from now on fails; none of that reaches the requests.
    expect((await burst(server.url, 1_000)).every((status) => status === 200)).toBe(true);

    const exited = exitOf(server.child);
    server.child.kill('SIGTERM');
    const { code, afterMs } = await exited;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(5_000);
  }, 60_000);
});
