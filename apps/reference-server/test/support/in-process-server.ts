import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig, type ReferenceServerConfig } from '../../src/config.js';
import { createReferenceServer } from '../../src/server.js';
import type { LogRecord } from './processes.js';

/** A reference server started in this process on 127.0.0.1 and a free port, with its own DATA_DIR. */
export interface InProcessServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  config: ReferenceServerConfig;
  /** Every log line so far, parsed. */
  logs: LogRecord[];
  /** Stops it and removes its DATA_DIR. */
  close(): Promise<void>;
}

/**
 * Starts `createReferenceServer` with the configuration `loadConfig` makes of `env` (plus a fresh
 * DATA_DIR, PORT=0, HOST=127.0.0.1), then `overrides` on top: faster than spawning a process, for
 * tests of what the server mounts.
 */
export async function startInProcessServer(
  env: NodeJS.ProcessEnv = {},
  overrides: Partial<ReferenceServerConfig> = {},
): Promise<InProcessServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-reference-'));
  const logs: LogRecord[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  try {
    const config = {
      ...loadConfig({ ...env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }),
      ...overrides,
    };
    const app = await createReferenceServer(config, pino({ level: 'info' }, sink));
    try {
      await app.server.start();
    } catch (error) {
      await app.close();
      throw error;
    }
    return {
      url: `http://127.0.0.1:${app.server.info.port}`,
      config,
      logs,
      async close() {
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Status, content type and body of an answer: what must not change when a path is served or not. */
export async function answerOf(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
}
