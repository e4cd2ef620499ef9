import { readFileSync } from 'node:fs';
import type { BenchResults } from '../src/report/results.js';
import type { CpuRun } from '../src/scenarios/cpu-phase.js';

/**
 * Every fixed-rate CPU run in a bench's `results.json` (the CPU scenario's, and the CPU phases of
 * fan-out and scale-out), each with the pids it measured and its window on the monotonic clock:
 * what the profile tools cut their samples to.
 */
export function cpuRunsOf(resultsFile: string): CpuRun[] {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
  const phases = [
    ...(results.cpu?.servers.map((server) => server.phase) ?? []),
    ...(results.fanout?.series.map((series) => series.cpu) ?? []),
    ...(results.scaleOut?.ran ? [results.scaleOut.single.cpu, results.scaleOut.split.cpu] : []),
  ];
  return phases.flatMap((phase) => phase?.runs ?? []);
}
