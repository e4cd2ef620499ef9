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
  turns: number;
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
  runs: CpuRun[];
}

const SQLITE = 'SQLite';
const PG_REDIS = 'PostgreSQL + Redis';

/**
 * Scenario 0, issue 13's figure: CPU per message in the rooms recruiters use (200 rooms of 3), at
 * a fixed rate well below what any server holds, for hirechat over SQLite and over PostgreSQL and
 * Redis, the floor, bare ws and Socket.IO. Every server's sockets stay open throughout, and the
 * servers take turns run by run, so that a change in the machine's load falls on all of them; each
 * figure is the median of its runs, and the report gives hirechat's as ratios to the others'.
 * With `--cpu-baseline`, the reference server of that commit runs too, on both backings, so that a
 * change's before and after come from one run.
 */
export async function runCpu(context: RunContext): Promise<CpuResult> {
  const { options, log } = context;
  const settings = options.cpu;
  const rate = cpuRate(options, settings.shape.members);
  const entries: Entry[] = [];
  const skipped: string[] = [];
  let baseline: Baseline | null = null;
  const pool = await LoadPool.start(options.fanout.subscribers);
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
      const layout = await makeLayout(entry.server, sizes, context.jwtSecret);
      const connect = await pool.connect(layout.sockets, options.fanout.connectConcurrency, 120_000);
      if (connect.failed > 0) entry.error = `${connect.failed} sockets did not open (${connect.firstError})`;
      else entry.layout = layout;
    }
    const phase = { rate, stepMs: settings.stepMs, drainTimeoutMs: options.fanout.drainTimeoutMs };
    await warmUp(entries, pool, { ...phase, rate: rate * WARMUP_RATE_FACTOR }, settings.warmupMessages, log);
    for (let turn = 0; turn < settings.turns; turn++) {
      log(`cpu ${shapeName(settings.shape)} at ${rate} msg/s: turn ${turn + 1} of ${settings.turns}`);
      for (const entry of entries) {
        if (!entry.layout || entry.error) continue;
        try {
          await pool.setupWriter(entry.layout.writer);
          // Unmeasured first: fresh keep-alive connections (the writer's new agent) in every turn, and
          // without a warm-up, the JIT's first look at the path in the first turn.
          const warmupMs =
            turn === 0 && settings.warmupMessages === 0 ? settings.stepMs : Math.min(settings.stepMs, 1_000);
          await measureCpuRun(pool, entry.layout, [entry.server], { ...phase, stepMs: warmupMs });
          await pool.settle();
          entry.runs.push(await measureCpuRun(pool, entry.layout, [entry.server], phase));
          await pool.settle();
        } catch (error) {
          entry.error = error instanceof Error ? error.message : String(error);
        }
      }
    }
    for (const entry of entries) {
      entry.phase = summariseCpu(phase, entry.runs);
      log(`cpu on ${entry.label}${entry.error ? `: error ${entry.error}` : ''}`);
      logCpu(log, entry.phase);
    }
  } finally {
    await pool.release().catch(() => undefined);
    await pool.stop();
    await Promise.all(entries.map((entry) => entry.server.stop()));
  }
  return {
    shape: shapeName(settings.shape),
    rate,
    stepMs: settings.stepMs,
    turns: settings.turns,
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

/** The warm-up's rate, as a multiple of the scenario's: well within what every server holds. */
const WARMUP_RATE_FACTOR = 5;

/**
 * Each server takes `messages` messages, unmeasured, before the turns start. At 50 msg/s V8 keeps
 * optimising functions for minutes as they get hot one by one (hundreds of TurboFan compiles, on
 * helper threads that process.cpuUsage() counts), so that the first turns measured the JIT's
 * warm-up more than the server, and a big server (hirechat) more than a small one (the floor).
 * After the warm-up the turns measure the steady state a running server is in; what a long-running
 * server still pays for optimising (after a major GC drops code, say) stays in the figures.
 *
 * The servers take turns here too, a sixth of it each time: a server warmed up whole and then left
 * idle while the others warm up had its V8 collect garbage to shrink the heap meanwhile, which
 * throws away code not run lately (bytecode flushing), and started its turns cold again (the
 * first of five servers measured 1.34× the same code started third, in two runs).
 */
async function warmUp(
  entries: Entry[],
  pool: LoadPool,
  phase: { rate: number; drainTimeoutMs: number },
  messages: number,
  log: (line: string) => void,
): Promise<void> {
  if (messages === 0) return;
  const slices = Math.min(WARMUP_SLICES, messages);
  log(`cpu warm-up: ${messages} messages for each server at ${phase.rate} msg/s, in ${slices} turns`);
  for (let slice = 0; slice < slices; slice++) {
    // The slices' sizes add up to `messages` exactly.
    const size = Math.floor((messages * (slice + 1)) / slices) - Math.floor((messages * slice) / slices);
    for (const entry of entries) {
      if (!entry.layout || entry.error) continue;
      if (slice === 0) log(`cpu warm-up of ${entry.label}: ${messages} messages at ${phase.rate} msg/s`);
      try {
        await pool.setupWriter(entry.layout.writer);
        await measureCpuRun(pool, entry.layout, [entry.server], {
          ...phase,
          stepMs: (size / phase.rate) * 1000,
        });
        await pool.settle();
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
      }
    }
  }
}

/** How many turns the warm-up takes (fewer when it has fewer messages). */
const WARMUP_SLICES = 6;

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
    runs: [],
  });
}
