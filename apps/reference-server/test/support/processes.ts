import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SRC = path.join(ROOT, 'apps/reference-server/src');

/**
 * Spawned processes run the TypeScript sources through tsx. The `@hirechat/source` export condition makes
 * '@hirechat/*' resolve to each package's src/ rather than its dist/, which tests never build (and
 * which may be stale from an earlier `npm start`).
 */
export function spawnFromSource(entry: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@hirechat/source', '--import', 'tsx', path.join(SRC, entry), ...args],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** What a child process writes, kept as it comes. */
function kept(child: ChildProcess): { readonly stdout: string; readonly stderr: string } {
  const text = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    text.stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text.stderr += chunk.toString('utf8');
  });
  return text;
}

/** Runs a command of the reference server (from source) to its end: its exit code, stdout and stderr. */
export async function runToEnd(entry: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawnFromSource(entry, args, env);
  const text = kept(child);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout: text.stdout, stderr: text.stderr };
}

/**
 * Runs a command of the reference server (from source) until it exits, or writes a log line that
 * `started` matches (then it is killed): its exit code (null when it started), stdout and stderr.
 * For a test that expects a refusal, and must not leave the process running when it gets none.
 */
export async function runUntilStarted(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  started: (record: LogRecord) => boolean,
) {
  const child = spawnFromSource(entry, args, env);
  const text = kept(child);
  const output = new Output(child);
  // Both pipes drained by then: nothing written is missed.
  const closed = once(child, 'close');
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const running = output.waitFor(started, { timeoutMs: 20_000 }).then(
    () => null,
    () => null,
  );
  const code = await Promise.race([exited, running]);
  await killProcess(child);
  await closed;
  return { code, stdout: text.stdout, stderr: text.stderr };
}

/** Stops the process with SIGTERM, as a supervisor would, and answers its exit code. */
export async function stopWithSigterm(child: ChildProcess): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  return child.exitCode;
}

export function cleanEnv(): NodeJS.ProcessEnv {
  const {
    JWT_SECRET: _secret,
    JWT_PUBLIC_KEY: _publicKey,
    DATABASE_URL: _database,
    REDIS_URL: _redis,
    ALLOWED_ORIGINS: _origins,
    MEDIA_URL_SECRET: _mediaSecret,
    MEDIA_URL_TTL_S: _mediaTtl,
    SOCKET_MAX_BACKLOG_BYTES: _backlog,
    ...inherited
  } = process.env;
  // RATE_LIMITS and every RATE_LIMIT_*, WEBHOOK_* and UNREAD_NOTIFY_AFTER_S: a test sets what it needs itself.
  return Object.fromEntries(
    Object.entries(inherited).filter(
      ([name]) =>
        !name.startsWith('RATE_LIMIT') && !name.startsWith('WEBHOOK_') && name !== 'UNREAD_NOTIFY_AFTER_S',
    ),
  );
}

export type LogRecord = Record<string, unknown>;

export interface WaitOptions {
  /** Only records from this index on count (see `mark`). Default 0. */
  after?: number;
  timeoutMs?: number;
}

/** Everything a process wrote, and a way to wait for a line that has not come yet. */
export class Output {
  text = '';
  private exited = false;
  private waiters: Array<() => void> = [];

  constructor(child: ChildProcess) {
    const wakeAll = () => {
      for (const wake of this.waiters.splice(0)) wake();
    };
    const append = (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      wakeAll();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    // 'close', not 'exit': by then both pipes are drained, so nothing written is missed.
    child.on('close', () => {
      this.exited = true;
      wakeAll();
    });
  }

  /** Parsed pino lines of stdout and stderr; other lines are skipped. */
  get records(): LogRecord[] {
    return this.text.split('\n').flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return value !== null && typeof value === 'object' ? [value as LogRecord] : [];
      } catch {
        return [];
      }
    });
  }

  /** How many records there are now: pass it as `after` to wait for a record still to come. */
  mark(): number {
    return this.records.length;
  }

  /** Resolves with the first record that matches, as soon as it is written. */
  async waitFor(match: (record: LogRecord) => boolean, options: WaitOptions = {}): Promise<LogRecord> {
    const { after = 0, timeoutMs = 15_000 } = options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.slice(after).find(match);
      if (found) return found;
      // A process that died will write nothing more: say so now rather than at the timeout.
      if (this.exited)
        throw new Error(`the process exited without a matching log line; its output:\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching log line within ${timeoutMs} ms; output so far:\n${this.text}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** A record whose message is exactly `msg`. */
export const withMessage =
  (msg: string) =>
  (record: LogRecord): boolean =>
    record.msg === msg;

/** A reference server started from source, listening on a port the OS picked. */
export interface ServerProcess {
  child: ChildProcess;
  output: Output;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  /** Kills it with SIGKILL, as a crash would; resolves once it has exited. Safe to call twice. */
  kill(): Promise<void>;
  /**
   * Stops it with SIGTERM, as `systemctl stop` does (sockets closed with 1001, in-flight requests
   * finished); resolves with its exit code once it has exited. Safe to call twice.
   */
  stop(): Promise<number | null>;
}

export interface ServerProcessOptions {
  /** The port to listen on. Default 0: one the OS picks. */
  port?: number;
}

/**
 * Spawns `main.ts` with `env` on 127.0.0.1 and `options.port` (default a free port), and resolves
 * once it logs the port it listens on; rejects with its output when it exits first.
 */
export async function startServerProcess(
  env: NodeJS.ProcessEnv,
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const child = spawnFromSource('main.ts', [], {
    ...env,
    PORT: String(options.port ?? 0),
    HOST: '127.0.0.1',
  });
  const output = new Output(child);
  const kill = () => killProcess(child);
  const stop = () => stopWithSigterm(child);
  try {
    const listening = await output.waitFor((record) => /^listening on /.test(String(record.msg)), {
      timeoutMs: 20_000,
    });
    const port = Number(listening.port);
    return {
      child,
      output,
      port,
      url: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}`,
      kill,
      stop,
    };
  } catch (error) {
    await kill();
    throw error;
  }
}

/** SIGKILLs a child that is still running and waits for it to exit. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
