import { cpuRate, type Shape } from '../options.js';
import { type RunningServer, startServer } from '../servers.js';
import { SERVER_LABELS, type ServerKind } from '../wire.js';
import { logCpu, ms, type RunContext, serverOptions } from './context.js';
import { makeLayout } from './layout.js';
import { LoadPool } from './load-pool.js';
import { type Ramp, runRamp } from './ramp.js';

export interface FanoutSeries extends Ramp {
  server: ServerKind;
  /** `<rooms>x<members>` */
  shape: string;
  rooms: number;
  members: number;
}

export interface FanoutResult {
  series: FanoutSeries[];
  /** Subscriber processes plus the writer. */
  loadProcesses: number;
}

export const shapeName = (shape: Shape) => `${shape.rooms}x${shape.members}`;

/**
 * Scenario 1: R rooms of M members each, a writer posting at a fixed rate, every socket timing
 * every event. The servers run side by side and take turns shape by shape, so that a change in the
 * machine's load (other work on it) falls on all of them rather than on one. Each shape starts with
 * the servers' CPU per message at a fixed rate (cpu-phase.ts).
 */
export async function runFanout(context: RunContext): Promise<FanoutResult> {
  const { options, log } = context;
  const settings = options.fanout;
  const servers = new Map<ServerKind, RunningServer>();
  const pool = await LoadPool.start(settings.subscribers);
  const series: FanoutSeries[] = [];
  try {
    for (const kind of options.servers)
      servers.set(kind, await startServer(kind, await serverOptions(context, 'fanout')));
    for (const shape of settings.shapes) {
      for (const [kind, server] of servers) {
        log(`fan-out ${shapeName(shape)} on ${SERVER_LABELS[kind]}`);
        const layout = await makeLayout(
          server,
          new Array(shape.rooms).fill(shape.members),
          context.jwtSecret,
        );
        const ramp = await runRamp(pool, layout, {
          rates: settings.rates,
          stepMs: settings.stepMs,
          warmupMs: settings.warmupMs,
          drainTimeoutMs: settings.drainTimeoutMs,
          p99LimitMs: options.p99LimitMs,
          connectConcurrency: settings.connectConcurrency,
          connectTimeoutMs: 120_000,
          refineSteps: settings.refineSteps,
          confirmBreaks: settings.confirmBreaks,
          cpu: {
            rate: cpuRate(options, shape.members),
            stepMs: options.cpu.stepMs,
            repeats: options.cpu.repeats,
            servers: [server],
          },
        });
        if (ramp.cpu) logCpu(log, ramp.cpu);
        for (const step of ramp.steps) {
          log(
            `  ${String(step.rate).padStart(6)} msg/s  p50 ${ms(step.latency.p50).padStart(6)} ms  p99 ${ms(step.latency.p99).padStart(6)} ms  ` +
              `${Math.round(step.deliveredPerSec).toLocaleString('en-US').padStart(9)} events/s  ${step.held ? 'held' : `broke: ${step.broke}`}${step.firstTry ? ' (second try)' : ''}`,
          );
        }
        if (ramp.error) log(`  error: ${ramp.error}`);
        series.push({
          ...ramp,
          server: kind,
          shape: shapeName(shape),
          rooms: shape.rooms,
          members: shape.members,
        });
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    await pool.stop();
  }
  return { series, loadProcesses: pool.processes };
}
