import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTestDatabase,
  type PrivateRedis,
  privateRedis,
  type TestDatabase,
} from '@hirechat/server-kit/testing';
import { newSecret } from './chat.js';
import { cleanEnv, type ServerProcess, startServerProcess } from './processes.js';

/**
 * Reference-server processes deployed as the README says: one PostgreSQL database (fresh, from
 * createTestDatabase), one Redis (a private redis-server), one DATA_DIR and one JWT_SECRET.
 */
export interface Cluster {
  secret: string;
  database: TestDatabase;
  redis: PrivateRedis;
  /** The environment every process gets (PORT and HOST aside). */
  env: NodeJS.ProcessEnv;
  servers: ServerProcess[];
  /** Starts one more process of the cluster. */
  add(): Promise<ServerProcess>;
  /**
   * Restarts `server` as `systemctl restart` does: stops it with SIGTERM, waits for it to exit,
   * starts a new process on the same port and waits until it listens. The new process takes the old
   * one's place in `servers`, and is answered.
   */
  restart(server: ServerProcess): Promise<ServerProcess>;
  /** Kills every process, drops the database, kills Redis, removes DATA_DIR. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Processes started at once (so that they race on the migrations). Default 2. */
  processes?: number;
  /** Whether Redis is running when the processes start. Default true. */
  redisRunning?: boolean;
  /** DATABASE_URL instead of the fresh database's own (e.g. through a proxy); it is still dropped. */
  databaseUrl?: (freshUrl: string) => string | Promise<string>;
  /** More environment for every process (PRESENCE_TIMEOUT_MS, say). */
  env?: NodeJS.ProcessEnv;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const { processes = 2, redisRunning = true, databaseUrl = (url: string) => url, env: extraEnv } = options;
  const servers: ServerProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const cleanup of [() => Promise.all(servers.map((s) => s.kill())).then(() => {}), ...cleanups]) {
        await cleanup().catch((error: unknown) => failures.push(error));
      }
      if (failures.length > 0) throw failures[0];
    })();
    return stopping;
  };

  try {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-cluster-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = await createTestDatabase();
    cleanups.unshift(() => database.drop());
    const redis = await privateRedis({ start: redisRunning });
    cleanups.unshift(() => redis.kill());
    const secret = newSecret();
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      DATA_DIR: dataDir,
      JWT_SECRET: secret,
      DATABASE_URL: await databaseUrl(database.url),
      REDIS_URL: redis.url,
      LOG_LEVEL: 'info',
      // A typist leaves the typing set only through what a test does, never by expiring meanwhile.
      TYPING_TIMEOUT_MS: '60000',
      ...extraEnv,
    };
    const add = async () => {
      const server = await startServerProcess(env);
      servers.push(server);
      return server;
    };
    const restart = async (server: ServerProcess) => {
      const index = servers.indexOf(server);
      if (index === -1) throw new Error('not a process of this cluster');
      const code = await server.stop();
      if (code !== 0) throw new Error(`the process exited with ${code} on SIGTERM:\n${server.output.text}`);
      const next = await startServerProcess(env, { port: server.port });
      servers[index] = next;
      return next;
    };
    // allSettled: a process still starting when another failed must be in `servers` for stop().
    const started = await Promise.allSettled(Array.from({ length: processes }, add));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return { secret, database, redis, env, servers, add, restart, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
