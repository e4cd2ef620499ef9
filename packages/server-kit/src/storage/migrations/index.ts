import { resolve } from 'node:path';
import type { Knex } from 'knex';
import { isSqlite } from '../sqlite.js';
import * as initial from './001-initial.js';
import * as roomEvents from './002-room-events.js';
import * as unreadCounts from './003-unread-counts.js';
import * as deletedMessagePositions from './004-deleted-message-positions.js';
import * as roomsThatChange from './005-rooms-that-change.js';
import * as webhooks from './006-webhooks.js';

interface NamedMigration {
  name: string;
  migration: Knex.Migration;
}

/** Every migration, oldest first. Append new ones; never rename or reorder a shipped one. */
const MIGRATIONS: readonly NamedMigration[] = [
  { name: '001-initial', migration: initial },
  { name: '002-room-events', migration: roomEvents },
  { name: '003-unread-counts', migration: unreadCounts },
  { name: '004-deleted-message-positions', migration: deletedMessagePositions },
  { name: '005-rooms-that-change', migration: roomsThatChange },
  { name: '006-webhooks', migration: webhooks },
];

/**
 * The migrations as modules rather than a folder that knex reads, so that they survive bundling:
 * the built package has no migrations directory to read.
 */
export const migrationSource: Knex.MigrationSource<NamedMigration> = {
  async getMigrations() {
    return [...MIGRATIONS];
  },
  getMigrationName(entry) {
    return entry.name;
  },
  async getMigration(entry) {
    return entry.migration;
  },
};

/** Where knex records applied migrations; its lock table is this name plus `_lock`. */
export const MIGRATIONS_TABLE = 'hirechat_migrations';
const LOCK_TABLE = `${MIGRATIONS_TABLE}_lock`;

const GIVE_UP_AFTER_MS = 60_000;

/** SQLite files being migrated by this process, so that its own knex instances take turns. */
const migratingFiles = new Map<string, Promise<void>>();

/**
 * Brings the schema up to date. Safe when several processes (or knex instances) start at once:
 * knex's lock table decides who migrates, and whoever finds it taken waits and tries again.
 */
export async function migrateToLatest(knex: Knex): Promise<void> {
  const file = sqliteFile(knex);
  if (file === null) return migrateWithRetries(knex);
  // better-sqlite3 waits for locks synchronously: a second instance in this process waiting on a
  // lock the first holds would block the event loop the first needs to release it. Other
  // processes are no such problem; the busy timeout and the retries cover them.
  const previous = migratingFiles.get(file) ?? Promise.resolve();
  const mine = previous.catch(() => {}).then(() => migrateWithRetries(knex));
  migratingFiles.set(file, mine);
  try {
    await mine;
  } finally {
    if (migratingFiles.get(file) === mine) migratingFiles.delete(file);
  }
}

async function migrateWithRetries(knex: Knex): Promise<void> {
  // p-retry is ESM only. Imported statically, the CommonJS build would require() it and take the
  // module's namespace for its default export; import() gives both builds the real module.
  const { default: pRetry, AbortError } = await import('p-retry');
  await pRetry(
    async () => {
      try {
        await ensureMigrationTables(knex);
        await knex.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE });
      } catch (error) {
        // Only contention is worth waiting out; anything else is a real failure.
        throw isContention(error) ? error : new AbortError(error as Error);
      }
    },
    { retries: 100, minTimeout: 50, maxTimeout: 1_000, randomize: true, maxRetryTime: GIVE_UP_AFTER_MS },
  );
}

/**
 * Creates knex's bookkeeping tables (in the shape knex itself gives them) before knex looks for
 * them. Knex checks and creates them without a lock, so two processes starting on an empty
 * database can both create them, and both insert a lock row; with two lock rows knex can never
 * take the lock again. Here the lock row has a fixed key, so a second insert is a no-op.
 */
async function ensureMigrationTables(knex: Knex): Promise<void> {
  await createTableOnce(knex, MIGRATIONS_TABLE, (t) => {
    t.increments();
    t.string('name');
    t.integer('batch');
    t.timestamp('migration_time');
  });
  await createTableOnce(knex, LOCK_TABLE, (t) => {
    t.increments('index').primary();
    t.integer('is_locked');
  });
  await knex(LOCK_TABLE).insert({ index: 1, is_locked: 0 }).onConflict('index').ignore();
}

async function createTableOnce(
  knex: Knex,
  name: string,
  build: (table: Knex.CreateTableBuilder) => void,
): Promise<void> {
  if (await knex.schema.hasTable(name)) return;
  try {
    await knex.schema.createTable(name, build);
  } catch (error) {
    // Another process created it between our check and our create.
    if (!(await knex.schema.hasTable(name))) throw error;
  }
}

/** Errors that mean someone else is migrating right now, not that migrating failed. */
function isContention(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return name === 'MigrationLocked' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'));
}

function sqliteFile(knex: Knex): string | null {
  if (!isSqlite(knex)) return null;
  const connection = knex.client.config.connection as { filename?: unknown } | undefined;
  const filename = connection?.filename;
  if (typeof filename !== 'string' || filename === ':memory:') return null;
  return resolve(filename);
}
