import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import knex from 'knex';
import { type RunningServer, ServerRefused, startHirechat } from '../servers.js';
import { ms, type RunContext } from './context.js';
import { shapeName } from './fanout.js';
import { makeLayout } from './layout.js';
import { LoadPool } from './load-pool.js';
import { type Ramp, runRamp } from './ramp.js';

export type ScaleOutResult =
  | { ran: false; reason: string }
  | {
      ran: true;
      shape: string;
      databaseUrl: string;
      redisUrl: string;
      /** Every socket on process A, which the writer posts to. */
      single: Ramp;
      /** Sockets alternating over processes A and B; the writer still posts to A. */
      split: Ramp;
    };

const DEFAULT_DATABASE = 'hirechat_bench';
const DEFAULT_DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DEFAULT_DATABASE}`;
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Scenario 4: fan-out over PostgreSQL and Redis, with the sockets on one process and then spread
 * over two. It runs when the reference server accepts DATABASE_URL and REDIS_URL, which is found
 * out by starting it with them: a server that refuses makes the scenario skip itself, with the
 * server's own words as the reason.
 */
export async function runScaleOut(context: RunContext): Promise<ScaleOutResult> {
  const { options, log } = context;
  const settings = options.scaleOut;
  const databaseUrl = settings.databaseUrl ?? DEFAULT_DATABASE_URL;
  const redisUrl = settings.redisUrl ?? DEFAULT_REDIS_URL;
  if (!settings.databaseUrl) await ensureDatabase(log);

  const servers: RunningServer[] = [];
  const startOne = async (label: string) => {
    const server = await startHirechat({
      label,
      dataDir: await mkdtemp(path.join(context.scratchDir, 'scale-out-')),
      jwtSecret: context.jwtSecret,
      env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
      ...(context.profileDir ? { cpuProfileDir: context.profileDir } : {}),
    });
    servers.push(server);
    return server;
  };
  try {
    let a: RunningServer;
    try {
      a = await startOne('hirechat A');
    } catch (error) {
      if (!(error instanceof ServerRefused)) throw error;
      const reason = `the reference server refused DATABASE_URL and REDIS_URL: ${condense(error.output)}`;
      log(`scale-out skipped: ${reason}`);
      return { ran: false, reason };
    }
    const b = await startOne('hirechat B');
    const pool = await LoadPool.start(options.fanout.subscribers);
    try {
      const sizes = new Array<number>(settings.shape.rooms).fill(settings.shape.members);
      const ramp = async (label: string, socketServers: RunningServer[]): Promise<Ramp> => {
        log(`scale-out ${shapeName(settings.shape)}, ${label}`);
        const result = await runRamp(pool, await makeLayout(a, sizes, context.jwtSecret, socketServers), {
          rates: settings.rates,
          stepMs: settings.stepMs,
          warmupMs: options.fanout.warmupMs,
          drainTimeoutMs: options.fanout.drainTimeoutMs,
          p99LimitMs: options.p99LimitMs,
          connectConcurrency: options.fanout.connectConcurrency,
          connectTimeoutMs: 120_000,
          refineSteps: options.fanout.refineSteps,
          confirmBreaks: options.fanout.confirmBreaks,
        });
        for (const step of result.steps) {
          log(
            `  ${step.rate} msg/s  p50 ${ms(step.latency.p50)} ms  p99 ${ms(step.latency.p99)} ms  ${step.held ? 'held' : `broke: ${step.broke}`}`,
          );
        }
        if (result.error) log(`  error: ${result.error}`);
        return result;
      };
      const single = await ramp('every socket on process A', [a]);
      const split = await ramp('sockets over processes A and B', [a, b]);
      return {
        ran: true,
        shape: shapeName(settings.shape),
        databaseUrl: redact(databaseUrl),
        redisUrl: redact(redisUrl),
        single,
        split,
      };
    } finally {
      await pool.stop();
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/**
 * Creates the bench's own database on the local PostgreSQL when it is missing, so that the bench
 * never writes into a database someone else uses. Best effort: if this fails, the server says why.
 */
async function ensureDatabase(log: (line: string) => void): Promise<void> {
  const admin = knex({ client: 'pg', connection: DEFAULT_DATABASE_URL.replace(/\/[^/]+$/, '/postgres') });
  try {
    const found = await admin.raw('select 1 from pg_database where datname = ?', [DEFAULT_DATABASE]);
    if (found.rows.length === 0) {
      await admin.raw(`create database ${DEFAULT_DATABASE}`);
      log(`scale-out: created database ${DEFAULT_DATABASE}`);
    }
  } catch {
    // No local PostgreSQL, or no right to create databases: the server's refusal will tell.
  } finally {
    await admin.destroy();
  }
}

function condense(output: string): string {
  const text = output.replace(/\s+/g, ' ').trim();
  return text.length > 400 ? `${text.slice(0, 400)}…` : text || '(no output)';
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
