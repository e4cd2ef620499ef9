import type { Knex } from 'knex';
import * as initial from './001-initial.js';

interface NamedMigration {
  name: string;
  migration: Knex.Migration;
}

/** Every migration, oldest first. Append new ones; never rename or reorder a shipped one. */
const MIGRATIONS: readonly NamedMigration[] = [{ name: '001-initial', migration: initial }];

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

/** The table knex records applied migrations in; its lock table is this name plus `_lock`. */
export const MIGRATIONS_TABLE = 'hirechat_migrations';
