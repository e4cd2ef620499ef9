import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import knex, { type Knex } from 'knex';

const IN_MEMORY = ':memory:';

/** Prepared statements kept per connection; the queries knex writes for us number in the dozens. */
const MAX_CACHED_STATEMENTS = 500;

/**
 * A knex instance over an SQLite file (created with its folder when missing), tuned for a chat
 * server: WAL so that readers never wait for the writer, foreign keys enforced, and a busy timeout
 * so that another process writing the same file makes us wait rather than fail.
 *
 * `':memory:'` gives a private in-memory database, for tests.
 *
 * Open one instance per file per process: better-sqlite3 is synchronous, so a second connection
 * waiting on a lock held by this process would block the event loop that has to release it.
 */
export function createSqliteKnex(filename: string): Knex {
  if (filename !== IN_MEMORY) mkdirSync(dirname(resolve(filename)), { recursive: true });
  return knex({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      // One connection: an in-memory database exists once per connection, and for a file a
      // single connection is what keeps the synchronous driver from waiting on itself (see above).
      min: 1,
      max: 1,
      afterCreate(
        connection: BetterSqlite3.Database,
        done: (error: Error | null, connection: unknown) => void,
      ) {
        try {
          connection.pragma('journal_mode = WAL');
          connection.pragma('foreign_keys = ON');
          connection.pragma('busy_timeout = 5000');
          // Safe with WAL (a power loss may lose the last commits, never corrupt the file) and
          // spares an fsync per write.
          connection.pragma('synchronous = NORMAL');
          reusePreparedStatements(connection);
          done(null, connection);
        } catch (error) {
          done(error as Error, connection);
        }
      },
    },
  });
}

/**
 * Makes the connection's `prepare` answer the statement it prepared before for the same SQL. Knex
 * prepares every query it runs afresh, which was a tenth of a message write's time; a statement is
 * reusable because knex runs each to completion synchronously (`all` or `run`), and SQLite
 * re-prepares it by itself when the schema changes. Knex only changes a statement when a query asks
 * for `safeIntegers`, which ours never do. The cache starts over when full, as queries with IN
 * lists of every length could otherwise fill it without end.
 */
function reusePreparedStatements(connection: BetterSqlite3.Database): void {
  const prepare = connection.prepare.bind(connection);
  const statements = new Map<string, BetterSqlite3.Statement>();
  connection.prepare = ((sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  }) as BetterSqlite3.Database['prepare'];
}

/** Whether the knex instance talks to SQLite: where the dialects differ, this tells them apart. */
export function isSqlite(db: Knex): boolean {
  const client: unknown = db.client.config.client;
  return client === 'better-sqlite3' || client === 'sqlite3';
}
