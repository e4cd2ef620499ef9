import type { BenchOptions } from '../options.js';

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
