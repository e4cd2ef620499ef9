import { nowMs } from '../clock.js';
import { cpuMsBetween } from '../cpu.js';
import type { RunningServer } from '../servers.js';
import type { Layout } from './layout.js';
import { type LoadPool, nextStep } from './load-pool.js';

/*
 * CPU per message: the servers' CPU time (user + system, every thread, from their probes) over a
 * run at a fixed rate well below what any of them holds, divided by the messages the writer got
 * through and by the events the sockets received. Unlike the highest rate held, a figure that a
 * busy machine barely moves: other processes take wall time from the server, not CPU time.
 */

export interface CpuPhaseOptions {
  /** Messages per second over all rooms. */
  rate: number;
  /** Length of each run. */
  stepMs: number;
  /** Measured runs, after one unmeasured run that lets the JIT see the path. */
  repeats: number;
  /** How long after the last send the events may still come in. */
  drainTimeoutMs: number;
}

/** One run at the fixed rate. */
export interface CpuRun {
  /** Messages the writer got through (answered 201 over REST; sent, to the references), of `planned`. */
  messages: number;
  planned: number;
  /** Events the sockets received, of `expected`. */
  events: number;
  expected: number;
  /** CPU time of the server processes over the run, summed over them. */
  userMs: number;
  systemMs: number;
  /** Each server process's share (scale-out runs two). */
  processes: Array<{ label: string; pid: number; cpuMs: number }>;
  /**
   * From just before the first send to the last event in, on the bench's monotonic clock (clock.ts),
   * the one V8 stamps its profile samples with: profile-top.ts cuts a profile to these windows.
   */
  startedAtMs: number;
  endedAtMs: number;
  perMessageUs: number | null;
  perEventUs: number | null;
  /** Every message got through and every event arrived: only such runs count in the medians. */
  complete: boolean;
}

export interface CpuPhase {
  rate: number;
  stepMs: number;
  runs: CpuRun[];
  /** Medians over the complete runs; null when there were none. */
  perMessageUs: number | null;
  perEventUs: number | null;
}

/** One run at the fixed rate over the layout, measuring the servers' CPU time. */
export async function measureCpuRun(
  pool: LoadPool,
  layout: Layout,
  servers: RunningServer[],
  options: Omit<CpuPhaseOptions, 'repeats'>,
): Promise<CpuRun> {
  const step = nextStep();
  await pool.reset(step);
  const before = await Promise.all(servers.map((server) => server.cpuTime()));
  const startedAtMs = nowMs();
  const written = await pool.write(step, options.rate, options.stepMs);
  const expected = written.perRoom.reduce((sum, count, room) => sum + count * (layout.members[room] ?? 0), 0);
  await pool.drain(expected, options.drainTimeoutMs);
  const after = await Promise.all(servers.map((server) => server.cpuTime()));
  const endedAtMs = nowMs();
  const got = await pool.collect();
  const userMs = sum(after.map((time, i) => time.userMs - before[i]!.userMs));
  const systemMs = sum(after.map((time, i) => time.systemMs - before[i]!.systemMs));
  const cpuUs = (userMs + systemMs) * 1000;
  return {
    messages: written.ok,
    planned: written.planned,
    events: got.received,
    expected,
    userMs,
    systemMs,
    processes: servers.map((server, i) => ({
      label: server.label,
      pid: server.pid,
      cpuMs: cpuMsBetween(before[i]!, after[i]!),
    })),
    startedAtMs,
    endedAtMs,
    perMessageUs: written.ok > 0 ? cpuUs / written.ok : null,
    perEventUs: got.received > 0 ? cpuUs / got.received : null,
    complete: written.ok === written.planned && got.received >= expected,
  };
}

/** An unmeasured run, then `repeats` measured ones back to back. */
export async function runCpuPhase(
  pool: LoadPool,
  layout: Layout,
  servers: RunningServer[],
  options: CpuPhaseOptions,
): Promise<CpuPhase> {
  await measureCpuRun(pool, layout, servers, options);
  await pool.settle();
  const runs: CpuRun[] = [];
  for (let i = 0; i < options.repeats; i++) {
    runs.push(await measureCpuRun(pool, layout, servers, options));
    await pool.settle();
  }
  return summariseCpu(options, runs);
}

/** The phase's medians over its complete runs. */
export function summariseCpu(options: Pick<CpuPhaseOptions, 'rate' | 'stepMs'>, runs: CpuRun[]): CpuPhase {
  const complete = runs.filter((run) => run.complete);
  return {
    rate: options.rate,
    stepMs: options.stepMs,
    runs,
    perMessageUs: median(complete.map((run) => run.perMessageUs)),
    perEventUs: median(complete.map((run) => run.perEventUs)),
  };
}

/**
 * The median of `mine`'s CPU per message over `theirs`', run by run: in the CPU scenario the runs of
 * one index ran at the same time, so a change in the machine's load moves both; null when no pair
 * of runs is complete.
 */
export function ratioRunByRun(mine: CpuPhase, theirs: CpuPhase): number | null {
  return median(
    mine.runs.map((run, index) => {
      const other = theirs.runs[index];
      if (!run.complete || !other?.complete || !run.perMessageUs || !other.perMessageUs) return null;
      return run.perMessageUs / other.perMessageUs;
    }),
  );
}

export function median(values: Array<number | null>): number | null {
  const sorted = values.filter((value): value is number => value !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
