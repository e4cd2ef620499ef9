import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@hirechat/server-kit/testing';

/**
 * A PostgreSQL URL whose server answers but whose database does not exist (a test database made
 * and dropped, so that its credentials work), and the missing database's name.
 */
export async function missingDatabaseUrl(): Promise<{ url: string; name: string }> {
  const database = await createTestDatabase();
  const url = new URL(database.url);
  await database.drop();
  const name = `hirechat_missing_${randomBytes(4).toString('hex')}`;
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}
