import { ChatError } from '../domain/chat-error.js';

/** What a client is told when the database cannot be reached (503). */
export const DATABASE_UNAVAILABLE = 'The database is unavailable; try again shortly.';

/** Node's socket errors: the database's host or port does not answer, or dropped us. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs that mean the server cannot serve us now, though it may shortly: the
 * whole class 08 (connection exception) and these.
 */
const POSTGRES_CODES = new Set([
  '57P01', // admin_shutdown: the server is stopping (fast shutdown) and ended our session
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up or shutting down
  '53300', // too_many_connections
]);

/**
 * pg's errors, which carry no code, for a connection that ended under a query, one that the
 * server did not answer within `connectionTimeoutMillis` (exactly "timeout expired"), or a query
 * that got no answer within `query_timeout` (a connection whose packets vanish silently).
 */
const PG_CONNECTION_LOST =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout expired$|Query read timeout$)/;

/** Knex's error when no connection could be had within `acquireConnectionTimeout`. */
const KNEX_ACQUIRE_TIMEOUT = /^Knex: Timeout acquiring a connection/;

/**
 * Whether the error means the database could not be reached (it is down, restarting, or out of
 * connections), as opposed to a query it refused. Looks through `cause` and AggregateError's
 * `errors` too (Node reports a refused connection to every address of a host as one of those).
 */
export function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, syscall, name, message, cause, errors } = error as {
    code?: unknown;
    syscall?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || POSTGRES_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    // A Unix socket whose server is down: its socket file is gone.
    if (code === 'ENOENT' && syscall === 'connect') return true;
    // better-sqlite3: another process held the file's write lock for longer than the busy timeout.
    if (code.startsWith('SQLITE_BUSY')) return true;
  }
  if (typeof message === 'string') {
    if (name === 'KnexTimeoutError' && KNEX_ACQUIRE_TIMEOUT.test(message)) return true;
    if (PG_CONNECTION_LOST.test(message)) return true;
  }
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnreachable(inner, depth + 1))) return true;
  return isDatabaseUnreachable(cause, depth + 1);
}

/**
 * The error a storage call should answer: ChatError `unavailable` (503, with the original error
 * as its cause, for the logs) when the database could not be reached, the error itself otherwise.
 */
export function translateStorageError(error: unknown): unknown {
  if (error instanceof ChatError || !isDatabaseUnreachable(error)) return error;
  const unavailable = ChatError.of('unavailable', DATABASE_UNAVAILABLE);
  unavailable.cause = error;
  return unavailable;
}

type AsyncMethodName<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

/**
 * Makes each async method of a class that `methods` marks `true` answer
 * `translateStorageError(error)` instead of the error it threw. Applied once to a storage class,
 * with every method listed (a method left out does not compile), so that none has to remember a
 * try/catch of its own.
 */
export function translateErrorsOf<T extends object>(
  prototype: T,
  methods: Readonly<Record<AsyncMethodName<T>, boolean>>,
): void {
  for (const [name, translate] of Object.entries(methods) as [keyof T & string, boolean][]) {
    if (!translate) continue;
    const method = prototype[name] as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(prototype, name, {
      configurable: true,
      writable: true,
      value: async function (this: T, ...args: unknown[]) {
        try {
          return await method.apply(this, args);
        } catch (error) {
          throw translateStorageError(error);
        }
      },
    });
  }
}
