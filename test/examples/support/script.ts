import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * How an example file is run, as its header and the README say: TypeScript through tsx, .mjs by
 * node. `npx tsx <file>` is `node --import tsx <file>` in one process (the CLI adds a second one,
 * which a kill would leave behind); either way tsx reads the root tsconfig's paths, so the packages
 * come from their sources and nothing needs building.
 */
export function commandFor(file: string): string[] {
  const script = path.join('examples', file);
  return file.endsWith('.mjs') ? [script] : ['--import', 'tsx', script];
}

/** A running example: what it printed so far, and ways to wait on it. */
export class Script {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private done = false;
  private waiters: Array<() => void> = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    const append = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      for (const wake of this.waiters.splice(0)) wake();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    // 'close', not 'exit': by then both pipes are drained, so nothing printed is missed.
    this.exited = once(child, 'close').then(([code, signal]) => {
      this.done = true;
      for (const wake of this.waiters.splice(0)) wake();
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
  }

  /** Starts `examples/<file>` from the repository root with `args` and `env` added to the test's. */
  static start(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Script {
    const child = spawn(process.execPath, [...commandFor(file), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Script(child);
  }

  /** Resolves with the first match of `pattern` in the output; rejects with the output on exit or timeout. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.done) {
        throw new Error(`the example exited without printing ${pattern}; its output:\n${this.output}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends `signal` (as Ctrl+C or `kill` would) and resolves with how the example exited. */
  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.done) this.child.kill(signal);
    return this.exited;
  }

  /** Kills it if it still runs; for cleanup after a failed test. */
  async kill(): Promise<void> {
    if (!this.done) this.child.kill('SIGKILL');
    await this.exited;
  }
}
