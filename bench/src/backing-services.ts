import knex from 'knex';

/*
 * PostgreSQL and Redis for the scenarios that run hirechat over them (scale-out, CPU): the URLs
 * the run was given, else a local database of the bench's own and the local Redis.
 */

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/hirechat_bench';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The URLs to start hirechat with; creates the local default database when it is the one used.
 * `databaseSuffix` names a database of its own beside it (created when missing, on the same
 * server): the CPU scenario's baseline, whose older schema must not meet today's migrations.
 */
export async function backingServices(
  given: { databaseUrl: string | undefined; redisUrl: string | undefined },
  log: (line: string) => void,
  databaseSuffix = '',
): Promise<{ databaseUrl: string; redisUrl: string }> {
  const url = new URL(given.databaseUrl ?? DEFAULT_DATABASE_URL);
  if (databaseSuffix) url.pathname += databaseSuffix;
  if (!given.databaseUrl || databaseSuffix) await ensureDatabase(url, log);
  return {
    databaseUrl: given.databaseUrl && !databaseSuffix ? given.databaseUrl : url.toString(),
    redisUrl: given.redisUrl ?? DEFAULT_REDIS_URL,
  };
}

/**
 * Creates the database the URL names when it is missing, so that the bench never writes into a
 * database someone else uses. Best effort: if this fails, the server says why.
 */
async function ensureDatabase(url: URL, log: (line: string) => void): Promise<void> {
  const name = decodeURIComponent(url.pathname.slice(1));
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = knex({ client: 'pg', connection: server.toString() });
  try {
    const found = await admin.raw('select 1 from pg_database where datname = ?', [name]);
    if (found.rows.length === 0) {
      await admin.raw('create database ??', [name]);
      log(`created database ${name}`);
    }
  } catch {
    // No local PostgreSQL, or no right to create databases: the server's refusal will tell.
  } finally {
    await admin.destroy();
  }
}

/** A server's output on one line, cut to 400 characters: for saying why it refused. */
export function condense(output: string): string {
  const text = output.replace(/\s+/g, ' ').trim();
  return text.length > 400 ? `${text.slice(0, 400)}…` : text || '(no output)';
}

/** The URL without its password, for the report. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
