import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createPostgresKnex } from '../storage/postgres.js';

/** Where the admin connection goes unless `HIRECHAT_TEST_PG_URL` says otherwise. */
export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** URL of the new, empty database, on the same server and with the same credentials. */
  url: string;
  /** Drops the database, closing whatever connections to it are still open. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a new, empty PostgreSQL database named `hirechat_test_<random>`, for a test file or a
 * test. The admin connection goes to `HIRECHAT_TEST_PG_URL` (default
 * `postgres://postgres@127.0.0.1:5432/test`), whose user must be allowed to create databases.
 */
export async function createTestDatabase(adminUrl: string = testPostgresUrl()): Promise<TestDatabase> {
  const name = `hirechat_test_${randomBytes(6).toString('hex')}`;
  await asAdmin(adminUrl, (admin) => admin.raw(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop() {
      // FORCE (PostgreSQL 13+) ends the sessions still connected, e.g. a pool a test leaked.
      dropped ??= asAdmin(adminUrl, (admin) =>
        admin.raw(`drop database if exists "${name}" with (force)`),
      ).catch((error: unknown) => {
        dropped = undefined;
        throw error;
      });
      return dropped;
    },
  };
}

/** The admin URL of the test PostgreSQL server. */
export function testPostgresUrl(): string {
  return process.env.HIRECHAT_TEST_PG_URL || DEFAULT_TEST_PG_URL;
}

async function asAdmin(url: string, run: (admin: Knex) => Promise<unknown>): Promise<void> {
  const admin = createPostgresKnex(url, { pool: { max: 1 } });
  try {
    await run(admin);
  } finally {
    await admin.destroy();
  }
}
