import { Histogram, type LatencySummary } from '../histogram.js';
import type { RunningServer } from '../servers.js';
import { type CpuPhase, type CpuPhaseOptions, runCpuPhase } from './cpu-phase.js';
import type { Layout } from './layout.js';
import { type ConnectSummary, type LoadPool, nextStep } from './load-pool.js';

export interface RampOptions {
  /** Messages per second over all rooms, tried in this order until one breaks. */
  rates: number[];
  stepMs: number;
  warmupMs: number;
  /** How long after the last send the events may still come in. */
  drainTimeoutMs: number;
  /** A step holds when its p99 stays at or under this. */
  p99LimitMs: number;
  connectConcurrency: number;
  connectTimeoutMs: number;
  /** Steps spent narrowing down the highest rate once a step broke. */
  refineSteps: number;
  /** Try a broken rate once more before believing it. */
  confirmBreaks: boolean;
  /** CPU per message at a fixed rate, measured after the warm-up and before the rates go up. */
  cpu?: Omit<CpuPhaseOptions, 'drainTimeoutMs'> & { servers: RunningServer[] };
}

export interface RampStep {
  /** Messages per second asked for. */
  rate: number;
  /** Messages the writer got through (REST answered 201), per second of the step. */
  sentPerSec: number;
  expected: number;
  received: number;
  /** Events received per second, from the first send to the last event received. */
  deliveredPerSec: number;
  latency: LatencySummary;
  /** hirechat's REST answer times, as the writer saw them. */
  rest: LatencySummary | null;
  held: boolean;
  /** Why the step did not hold. */
  broke: string | null;
  /** Why the first try broke, when this is the second try of the rate. */
  firstTry?: string | null;
}

export interface Ramp {
  connect: ConnectSummary;
  steps: RampStep[];
  /** The highest rate that held, or null when even the first did not. Steps are sorted by rate. */
  maxRate: number | null;
  /** Whether some step broke: if none did, the highest rate is the ladder's end, not a limit. */
  limitFound: boolean;
  /** The fixed-rate CPU phase, when asked for and reached. */
  cpu: CpuPhase | null;
  error: string | null;
}

/**
 * Connects the layout's sockets, warms up, then raises the rate step by step until a step breaks
 * (p99 over the limit, events missing, or the writer unable to send), and lets everything go.
 */
export async function runRamp(pool: LoadPool, layout: Layout, options: RampOptions): Promise<Ramp> {
  const steps: RampStep[] = [];
  let cpu: CpuPhase | null = null;
  const connect = await pool.connect(layout.sockets, options.connectConcurrency, options.connectTimeoutMs);
  try {
    if (connect.failed > 0) {
      return {
        connect,
        steps,
        maxRate: null,
        limitFound: false,
        cpu,
        error: `${connect.failed} of ${connect.requested} sockets did not open (${connect.firstError})`,
      };
    }
    await pool.setupWriter(layout.writer);
    if (options.warmupMs > 0 && options.rates[0] !== undefined) {
      const step = nextStep();
      await pool.reset(step);
      await pool.write(step, options.rates[0], options.warmupMs);
      await pool.settle();
    }
    if (options.cpu) {
      const { servers, ...phase } = options.cpu;
      cpu = await runCpuPhase(pool, layout, servers, { ...phase, drainTimeoutMs: options.drainTimeoutMs });
    }
    let low: number | null = null;
    let high: number | null = null;
    const step = async (rate: number) => {
      let result = await runStep(pool, layout, rate, options);
      // A broken step leaves a backlog; it must not run into whatever is measured next.
      if (!result.held) await pool.settle(500, 15_000);
      if (!result.held && options.confirmBreaks) {
        // One stall of a shared machine (another process taking the cores for a moment) breaks a
        // step on its own; a rate counts as broken when it breaks twice in a row.
        const first = result.broke;
        result = { ...(await runStep(pool, layout, rate, options)), firstTry: first };
        if (!result.held) await pool.settle(500, 15_000);
      }
      steps.push(result);
      return result.held;
    };
    for (const rate of options.rates) {
      if (await step(rate)) low = rate;
      else {
        high = rate;
        break;
      }
    }
    // Even the first rate broke: halve it a few times to find one that holds.
    for (let round = 0; low === null && high !== null && round < 3; round++) {
      const rate = Math.floor(high / 2);
      if (rate < 1) break;
      if (await step(rate)) low = rate;
      else high = rate;
    }
    // Between the last rate that held and the first that broke, halve the gap (on a log scale) a
    // few times, so that the highest rate is known closer than the ladder's factor of two.
    for (let round = 0; round < options.refineSteps && low !== null && high !== null; round++) {
      const rate = Math.round(Math.sqrt(low * high));
      if (rate <= low || rate >= high) break;
      if (await step(rate)) low = rate;
      else high = rate;
    }
    steps.sort((a, b) => a.rate - b.rate);
    return { connect, steps, maxRate: low, limitFound: high !== null, cpu, error: null };
  } catch (error) {
    return {
      connect,
      steps,
      maxRate: null,
      limitFound: false,
      cpu,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await pool.release();
  }
}

async function runStep(
  pool: LoadPool,
  layout: Layout,
  rate: number,
  options: RampOptions,
): Promise<RampStep> {
  const step = nextStep();
  await pool.reset(step);
  const written = await pool.write(step, rate, options.stepMs);
  const expected = written.perRoom.reduce((sum, count, room) => sum + count * (layout.members[room] ?? 0), 0);
  await pool.drain(expected, options.drainTimeoutMs);
  const got = await pool.collect();
  const latency = got.latency.summary();
  const seconds = got.lastAtMs === null ? 0 : (got.lastAtMs - written.startedAtMs) / 1000;
  const reasons: string[] = [];
  if (written.ok < written.planned * 0.95) {
    const why =
      written.skipped > 0 ? `${written.skipped} skipped, server too slow to answer` : written.firstError;
    reasons.push(`writer got ${written.ok} of ${written.planned} messages through (${why})`);
  }
  if (got.received < expected) reasons.push(`${expected - got.received} of ${expected} events missing`);
  if (latency.p99 > options.p99LimitMs) reasons.push(`p99 ${latency.p99.toFixed(1)} ms`);
  if (got.closedByServer > 0) {
    const codes = Object.entries(got.closeCodes).map(([code, count]) => `${code} × ${count}`);
    reasons.push(`${got.closedByServer} sockets closed by the server (${codes.join(', ')})`);
  }
  return {
    rate,
    sentPerSec: written.ok / (options.stepMs / 1000),
    expected,
    received: got.received,
    deliveredPerSec: seconds > 0 ? got.received / seconds : 0,
    latency,
    rest: written.rest ? Histogram.from(written.rest).summary() : null,
    held: reasons.length === 0,
    broke: reasons.length ? reasons.join('; ') : null,
  };
}
