import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createPostgresKnex,
  createSqliteKnex,
  KnexChatStorage,
  KnexDeliveryQueue,
  redactUrlsIn,
} from '@hirechat/server-kit';
import type { ReferenceServerConfig } from '../config.js';
import { DATABASE_FILE } from '../server.js';
import { WebhookCommandError } from './command-error.js';

/** The webhook queue of the server's database, for the commands of `npm run webhooks`. */
export interface WebhookDatabase {
  queue: KnexDeliveryQueue;
  close(): Promise<void>;
}

/**
 * Opens the server's own database (DATABASE_URL, or the SQLite file in DATA_DIR), migrated as the
 * server would on start, so that a command run with a server of an older version finds the table;
 * a database without hirechat's tables is refused rather than given them.
 *
 * @throws WebhookCommandError when DATA_DIR holds no database file (a mistyped DATA_DIR would
 *   otherwise get a new, empty one, and the commands would answer for it), when the database has
 *   no hirechat tables, or when PostgreSQL refuses (no such database, no server); its message is
 *   one line and holds no password.
 */
export async function openWebhookDatabase(
  config: Pick<ReferenceServerConfig, 'databaseUrl' | 'dataDir'>,
): Promise<WebhookDatabase> {
  const file = path.join(config.dataDir, DATABASE_FILE);
  if (!config.databaseUrl && !existsSync(file)) {
    throw new WebhookCommandError(
      `DATA_DIR (${config.dataDir}) holds no ${DATABASE_FILE}: set DATA_DIR to the server's, ` +
        'or DATABASE_URL if it runs on PostgreSQL',
    );
  }
  const knex = config.databaseUrl
    ? // knex's own warnings (every failed connection, with its stack) would go to stdout, ahead of
      // the one line this throws: a `failed --json` would print them as its output.
      createPostgresKnex(config.databaseUrl, { pool: { max: 2 }, log: { warn: ignore, error: ignore } })
    : createSqliteKnex(file);
  const storage = new KnexChatStorage(knex);
  try {
    // A command that lists must not make hirechat's tables in another application's database.
    if (!(await storage.isMigrated())) {
      throw new WebhookCommandError(
        `${config.databaseUrl ? 'the PostgreSQL database of DATABASE_URL' : `${file}`} holds no hirechat ` +
          "tables: point it at the servers' database (a server makes its tables when it starts)",
      );
    }
    await storage.migrate();
  } catch (error) {
    await storage.close();
    if (error instanceof WebhookCommandError || !config.databaseUrl) throw error;
    throw new WebhookCommandError(
      `the PostgreSQL database of DATABASE_URL cannot be used: ${describe(error)}`,
    );
  }
  return { queue: new KnexDeliveryQueue(knex), close: () => storage.close() };
}

const ignore = () => undefined;

/** pg's message (`database "x" does not exist`), or the code of a connection that failed. */
function describe(error: unknown): string {
  const { message, code } = error as { message?: string; code?: string };
  // A refused connection (AggregateError) has no message, only its code.
  return redactUrlsIn(message?.split('\n')[0]?.trim() || code || String(error));
}
