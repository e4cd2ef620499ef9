import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { backingServices, condense, redact } from '../backing-services.js';
import { cpuRate } from '../options.js';
import { type RunningServer, ServerRefused, startHirechat } from '../servers.js';
import { logCpu, ms, type RunContext } from './context.js';
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

/**
 * Scenario 4: fan-out over PostgreSQL and Redis, with the sockets on one process and then spread
 * over two. It runs when the reference server accepts DATABASE_URL and REDIS_URL, which is found
 * out by starting it with them: a server that refuses makes the scenario skip itself, with the
 * server's own words as the reason.
 */
export async function runScaleOut(context: RunContext): Promise<ScaleOutResult> {
  const { options, log } = context;
  const settings = options.scaleOut;
  const { databaseUrl, redisUrl } = await backingServices(settings, log);

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
          // Both processes, whichever holds the sockets: B also hears every event through Redis.
          cpu: {
            rate: cpuRate(options, settings.shape.members),
            stepMs: options.cpu.stepMs,
            repeats: options.cpu.repeats,
            servers: [a, b],
          },
        });
        if (result.cpu) logCpu(log, result.cpu);
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
