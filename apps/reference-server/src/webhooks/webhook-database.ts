import path from 'node:path';
import {
  createPostgresKnex,
  createSqliteKnex,
  KnexChatStorage,
  KnexDeliveryQueue,
} from '@hirechat/server-kit';
import type { ReferenceServerConfig } from '../config.js';
import { DATABASE_FILE } from '../server.js';

/** The webhook queue of the server's database, for the commands of `npm run webhooks`. */
export interface WebhookDatabase {
  queue: KnexDeliveryQueue;
  close(): Promise<void>;
}

/**
 * Opens the server's own database (DATABASE_URL, or the SQLite file in DATA_DIR), migrated as the
 * server would on start, so that a command run before the first start finds the table.
 */
export async function openWebhookDatabase(
  config: Pick<ReferenceServerConfig, 'databaseUrl' | 'dataDir'>,
): Promise<WebhookDatabase> {
  const knex = config.databaseUrl
    ? createPostgresKnex(config.databaseUrl, { pool: { max: 2 } })
    : createSqliteKnex(path.join(config.dataDir, DATABASE_FILE));
  const storage = new KnexChatStorage(knex);
  try {
    await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return { queue: new KnexDeliveryQueue(knex), close: () => storage.close() };
}
