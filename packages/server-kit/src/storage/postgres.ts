import knex, { type Knex } from 'knex';

export interface PostgresKnexOptions {
  /** Connections this process keeps open: from `min` (default 0) to `max` (default 10). */
  pool?: { min?: number; max?: number };
  /**
   * Where knex's own warnings go (a connection that could not be had, with its stack). Unset,
   * knex writes them to stdout with console.log, among a server's JSON log lines or a command's
   * output.
   */
  log?: Knex.Logger;
}

/**
 * How long a query waits for a connection, and a new connection for PostgreSQL's answer, before
 * failing. Short, so that a database that is down fails requests quickly (they answer 503) rather
 * than holding them for knex's default minute.
 */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * How long a query may go unanswered on an open connection. Chat queries take milliseconds; one
 * that takes this long is on a connection whose packets are lost, and must fail (503), not hang.
 */
const QUERY_TIMEOUT_MS = 15_000;

/**
 * A knex instance over PostgreSQL (the `pg` driver), from a URL such as
 * `postgres://user:password@host:5432/hirechat` or a pg connection config.
 *
 * The pool keeps no idle connections by default (`min: 0`), so that connections the database has
 * dropped (a restart, a failover) are never handed out again: knex discards a connection that
 * reported an error, and makes new ones once the database is back, without a restart of the
 * server. TCP keep-alive finds peers that vanished without closing their connections.
 *
 * Connections are in pg's pipeline mode: a query is written as soon as it is made rather than once
 * the one before is answered. Knex waits for each of its queries, so nothing changes for them; the
 * message create writes several statements at once (storage/message-write).
 */
export function createPostgresKnex(
  connection: string | Knex.PgConnectionConfig,
  options: PostgresKnexOptions = {},
): Knex {
  const config: Knex.PgConnectionConfig =
    typeof connection === 'string' ? { connectionString: connection } : connection;
  // pg's own option, which knex passes on to every connection it opens but does not type.
  const settings: Knex.PgConnectionConfig & { pipeline: boolean } = {
    keepAlive: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: 'hirechat',
    pipeline: true,
    ...config,
  };
  return knex({
    client: 'pg',
    connection: settings,
    pool: { min: options.pool?.min ?? 0, max: options.pool?.max ?? 10 },
    acquireConnectionTimeout: CONNECT_TIMEOUT_MS,
    ...(options.log && { log: options.log }),
  });
}
