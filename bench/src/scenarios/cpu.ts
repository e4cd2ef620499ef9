import { backingServices, condense } from '../backing-services.js';
import { type Baseline, BaselineUnavailable, prepareBaseline } from '../baseline.js';
import { cpuRate } from '../options.js';
import { type RunningServer, ServerRefused, startHirechat, startServer } from '../servers.js';
import type { ServerKind } from '../wire.js';
import { logCpu, type RunContext, serverOptions } from './context.js';
import { type CpuPhase, type CpuRun, measureCpuRun, summariseCpu } from './cpu-phase.js';
import { shapeName } from './fanout.js';
import { type Layout, makeLayout } from './layout.js';
import { LoadPool } from './load-pool.js';

export interface CpuServerResult {
  label: string;
  kind: ServerKind;
  /** hirechat's storage and broadcast; null for the others. */
  backing: 'SQLite' | 'PostgreSQL + Redis' | null;
  /** The commit of a baseline hirechat (`--cpu-baseline`); null for today's and the others. */
  commit: string | null;
  phase: CpuPhase | null;
  error: string | null;
}

export interface CpuResult {
  shape: string;
  rate: number;
  stepMs: number;
  /** Measured runs of each server. */
  runs: number;
  /** What each server took, unmeasured, before its first measured run (`--cpu-warmup`). */
  warmup: { messages: number; rate: number };
  servers: CpuServerResult[];
  /** Servers left out, and why (PostgreSQL or Redis refused, say). */
  skipped: string[];
  /** The baseline asked for with `--cpu-baseline`, as it ran; null when none was asked for. */
  baseline: { commit: string; subject: string; lockChanged: boolean } | null;
}

interface Entry extends CpuServerResult {
  server: RunningServer;
  layout: Layout | null;
  /** The server's own load: its writer and its sockets' subscriber process. */
  pool: LoadPool | null;
  runs: CpuRun[];
}

const SQLITE = 'SQLite';
const PG_REDIS = 'PostgreSQL + Redis';

/**
 * Scenario 0, issue 13's figure: CPU per message in the rooms recruiters use (200 rooms of 3), at
 * a fixed rate well below what any server holds, for hirechat over SQLite and over PostgreSQL and
 * Redis, the floor, bare ws and Socket.IO. Each server has a load of its own (a writer and a
 * subscriber process holding its sockets), and every server takes its load at the same time, run
 * after run, so that a change in the machine's load falls on all of them at once; each figure is
 * the median of its runs, and the report gives hirechat's as ratios to the others', run by run.
 * With `--cpu-baseline`, the reference server of that commit runs too, on both backings, so that a
 * change's before and after come from one run.
 *
 * Side by side rather than in turns: a server left idle while the others took their turns had V8
 * collect garbage meanwhile, and the collector's dropping the hidden classes (maps) that only the
 * previous turn's requests and connections held deoptimised every function compiled against them
 * at once ("weak objects": 77 to 240 functions at a time in V8's log), which the next turn paid
 * for by compiling them again, in proportion to the server's code: up to a third of hirechat's CPU
 * in a turn, next to nothing of the floor's. A server near its machine's limit, the case this
 * scenario is about, is never idle for seconds at a time.
 */
export async function runCpu(context: RunContext): Promise<CpuResult> {
  const { options, log } = context;
  const settings = options.cpu;
  const rate = cpuRate(options, settings.shape.members);
  const entries: Entry[] = [];
  const skipped: string[] = [];
  let baseline: Baseline | null = null;
  try {
    if (settings.baseline && options.servers.includes('hirechat')) {
      try {
        baseline = await prepareBaseline(settings.baseline, context.scratchDir);
      } catch (error) {
        if (!(error instanceof BaselineUnavailable)) throw error;
        skipped.push(`hirechat at ${settings.baseline}: ${error.message}`);
      }
    }
    for (const kind of options.servers) {
      if (kind !== 'hirechat') {
        add(entries, kind, null, null, await startServer(kind, await serverOptions(context, 'cpu')));
        continue;
      }
      for (const at of baseline ? [null, baseline] : [null]) {
        const name = at ? `hirechat at ${at.commit.slice(0, 7)}` : 'hirechat';
        const common = {
          ...(await serverOptions(context, 'cpu')),
          // The baseline may not know how to find the demo app here; neither serves it.
          ...(at ? { sourceRoot: at.root } : {}),
        };
        const commit = at?.commit ?? null;
        const sqlite = await startHirechat({
          ...common,
          label: `${name} (${SQLITE})`,
          env: { DEMO_WEB: 'off' },
        });
        add(entries, kind, SQLITE, commit, sqlite);
        const { databaseUrl, redisUrl } = await backingServices(options.scaleOut, log, at ? '_baseline' : '');
        try {
          const server = await startHirechat({
            ...common,
            label: `${name} (${PG_REDIS})`,
            env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, DEMO_WEB: 'off' },
          });
          add(entries, kind, PG_REDIS, commit, server);
        } catch (error) {
          if (!(error instanceof ServerRefused)) throw error;
          skipped.push(`${name} (${PG_REDIS}): the reference server refused them: ${condense(error.output)}`);
        }
      }
    }
    const sizes = new Array<number>(settings.shape.rooms).fill(settings.shape.members);
    for (const entry of entries) {
      // One subscriber process a server: 600 sockets at 50 msg/s are well within what one holds.
      entry.pool = await LoadPool.start(1);
      const layout = await makeLayout(entry.server, sizes, context.jwtSecret);
      const connect = await entry.pool.connect(layout.sockets, options.fanout.connectConcurrency, 120_000);
      if (connect.failed > 0) entry.error = `${connect.failed} sockets did not open (${connect.firstError})`;
      else {
        entry.layout = layout;
        await entry.pool.setupWriter(layout.writer);
      }
    }
    const phase = { rate, stepMs: settings.stepMs, drainTimeoutMs: options.fanout.drainTimeoutMs };
    const warmup = { ...phase, rate: rate * WARMUP_RATE_FACTOR };
    if (settings.warmupMessages > 0) {
      log(`cpu warm-up: ${settings.warmupMessages} messages for each server at ${warmup.rate} msg/s`);
      await sideBySide(entries, async (entry, pool, layout) => {
        log(`cpu warm-up of ${entry.label}: ${settings.warmupMessages} messages at ${warmup.rate} msg/s`);
        await measureCpuRun(pool, layout, [entry.server], {
          ...warmup,
          stepMs: (settings.warmupMessages / warmup.rate) * 1000,
        });
        await pool.settle();
      });
    } else {
      // Unmeasured first without a warm-up: the JIT's first look at the path.
      await sideBySide(entries, async (entry, pool, layout) => {
        await measureCpuRun(pool, layout, [entry.server], phase);
        await pool.settle();
      });
    }
    for (let run = 0; run < settings.runs; run++) {
      log(`cpu ${shapeName(settings.shape)} at ${rate} msg/s: run ${run + 1} of ${settings.runs}`);
      await sideBySide(entries, async (entry, pool, layout) => {
        entry.runs.push(await measureCpuRun(pool, layout, [entry.server], phase));
        await pool.settle();
      });
    }
    for (const entry of entries) {
      entry.phase = summariseCpu(phase, entry.runs);
      log(`cpu on ${entry.label}${entry.error ? `: error ${entry.error}` : ''}`);
      logCpu(log, entry.phase);
    }
  } finally {
    await Promise.all(
      entries.map(async ({ pool }) => {
        await pool?.release().catch(() => undefined);
        await pool?.stop();
      }),
    );
    await Promise.all(entries.map((entry) => entry.server.stop()));
  }
  return {
    shape: shapeName(settings.shape),
    rate,
    stepMs: settings.stepMs,
    runs: settings.runs,
    warmup: { messages: settings.warmupMessages, rate: rate * WARMUP_RATE_FACTOR },
    servers: entries.map(({ label, kind, backing, commit, phase, error }) => ({
      label,
      kind,
      backing,
      commit,
      phase,
      error,
    })),
    skipped,
    baseline: baseline && {
      commit: baseline.commit,
      subject: baseline.subject,
      lockChanged: baseline.lockChanged,
    },
  };
}

/**
 * The warm-up's rate, as a multiple of the scenario's: every server takes it at once, so that five
 * (with `--cpu-baseline`) still leave the machine room.
 */
const WARMUP_RATE_FACTOR = 2;

/*
 * Each server takes `--cpu-warmup` messages, unmeasured, before its first measured run. At 50
 * msg/s V8 keeps optimising functions for minutes as they get hot one by one (hundreds of TurboFan
 * compiles, on helper threads that process.cpuUsage() counts), so that the first runs measured the
 * JIT's warm-up more than the server, and a big server (hirechat) more than a small one (the
 * floor). After the warm-up the runs measure the steady state a running server is in; what a
 * long-running server still pays for optimising (after a major GC drops code, say) stays in the
 * figures.
 */

/**
 * Runs `step` for every server still in the scenario, all at once, each on its own load; a
 * server's failure takes it out of the scenario, not the others.
 */
async function sideBySide(
  entries: Entry[],
  step: (entry: Entry, pool: LoadPool, layout: Layout) => Promise<void>,
): Promise<void> {
  await Promise.all(
    entries.map(async (entry) => {
      if (!entry.pool || !entry.layout || entry.error) return;
      try {
        await step(entry, entry.pool, entry.layout);
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
      }
    }),
  );
}

function add(
  entries: Entry[],
  kind: ServerKind,
  backing: Entry['backing'],
  commit: string | null,
  server: RunningServer,
): void {
  entries.push({
    label: server.label,
    kind,
    backing,
    commit,
    phase: null,
    error: null,
    server,
    layout: null,
    pool: null,
    runs: [],
  });
}
