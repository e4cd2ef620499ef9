import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/*
 * Load generators run as child processes, apart from the servers they load and from the
 * orchestrator. They talk over Node's IPC channel: a request `{ id, command, payload }` is answered
 * by `{ id, result }` or `{ id, error }`. Structured-clone serialisation carries typed arrays.
 */

interface Request {
  id: number;
  command: string;
  payload: unknown;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** How TypeScript children start: through tsx, with '@hirechat/*' resolved to their sources. */
export const TS_EXEC_ARGV = ['--conditions=@hirechat/source', '--import', 'tsx'];

/** A load-generator process and its commands. */
export interface Worker {
  readonly pid: number;
  call<T>(command: string, payload?: unknown, timeoutMs?: number): Promise<T>;
  /** Ends the process (its handlers see the channel close) and waits for it, at most a few seconds. */
  stop(): Promise<void>;
}

/** Forks `bench/load/<name>.ts`. */
export function forkWorker(name: string, env: NodeJS.ProcessEnv = process.env): Worker {
  const script = fileURLToPath(new URL(`../load/${name}.ts`, import.meta.url));
  const child: ChildProcess = fork(script, [], {
    execArgv: TS_EXEC_ARGV,
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const waiter of pending.values()) {
        waiter.reject(new Error(`load process ${name} exited (${signal ?? code}) during a command`));
      }
      pending.clear();
      resolve();
    }),
  );
  child.on('message', (message: Reply) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(`${name}: ${message.error}`));
    else waiter.resolve(message.result);
  });

  return {
    pid: child.pid ?? -1,
    call<T>(command: string, payload?: unknown, timeoutMs = 120_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`load process ${name} is not running`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: "${command}" did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, command, payload } satisfies Request);
      });
    },
    async stop() {
      if (exited) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side: answers each command with its handler's result. The process ends when the
 * orchestrator goes away, so that no load generator ever outlives a run.
 */
export function serve(handlers: Record<string, (payload: never) => unknown>): void {
  process.on('message', async (message: Request) => {
    const handler = handlers[message.command];
    let reply: Reply;
    try {
      if (!handler) throw new Error(`unknown command "${message.command}"`);
      reply = { id: message.id, result: await handler(message.payload as never) };
    } catch (error) {
      reply = {
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    process.send?.(reply);
  });
  process.on('disconnect', () => process.exit(0));
}
