import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { BenchOptions } from '../options.js';
import type { ServerOptions } from '../servers.js';
import type { CpuPhase } from './cpu-phase.js';

/** What every scenario gets from the run. */
export interface RunContext {
  options: BenchOptions;
  /** The HS256 secret every hirechat process of the run verifies tokens with. */
  jwtSecret: string;
  /** A scratch folder of the run, removed at its end (databases, uploads). */
  scratchDir: string;
  /** Folder for CPU profiles, when asked for. */
  profileDir: string | undefined;
  log(line: string): void;
}

export const ms = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

/** A server's options in this run: a fresh data folder under the scratch folder, named for the scenario. */
export async function serverOptions(context: RunContext, scenario: string): Promise<ServerOptions> {
  return {
    dataDir: await mkdtemp(path.join(context.scratchDir, `${scenario}-`)),
    jwtSecret: context.jwtSecret,
    ...(context.profileDir ? { cpuProfileDir: context.profileDir } : {}),
  };
}

/** The log line of a CPU phase: its medians and each run. */
export function logCpu(log: (line: string) => void, phase: CpuPhase): void {
  const us = (value: number | null) => (value === null ? '—' : value.toFixed(value >= 100 ? 0 : 1));
  const runs = phase.runs.map((run) => `${us(run.perMessageUs)}${run.complete ? '' : ' (incomplete)'}`);
  log(
    `  CPU at ${phase.rate} msg/s: ${us(phase.perMessageUs)} µs per message, ${us(phase.perEventUs)} µs per event ` +
      `(median; runs ${runs.join(', ')} µs per message)`,
  );
}
