import { createTestDatabase, type TestDatabase } from '@hirechat/server-kit/testing';
import { afterAll, beforeAll } from 'vitest';

/*
 * Setup of the `postgres` vitest project: each test file gets a new PostgreSQL database, dropped
 * when the file is done, and every server that startTestServer() starts in the file keeps its data
 * there (HIRECHAT_TEST_DATABASE_URL). Servers of one file share it, as the processes of one
 * deployment share theirs; every test makes its own users and rooms, so they do not meet.
 */

let database: TestDatabase | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.HIRECHAT_TEST_DATABASE_URL = database.url;
});

afterAll(async () => {
  delete process.env.HIRECHAT_TEST_DATABASE_URL;
  await database?.drop();
});
