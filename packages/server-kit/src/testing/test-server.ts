import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Hapi from '@hapi/hapi';
import type { Role } from '../domain/caller.js';
import { LocalFileStore } from '../files/local-file-store.js';
import { hirechat } from '../hapi/plugin.js';
import type { HirechatOptions } from '../hapi/plugin-options.js';
import { JwtIdentity } from '../identity/jwt-identity.js';
import { signAccessToken } from '../identity/sign-access-token.js';
import { KnexChatStorage, type KnexChatStorageOptions } from '../storage/knex-chat-storage.js';
import { createPostgresKnex } from '../storage/postgres.js';
import { createSqliteKnex } from '../storage/sqlite.js';
import { createTestDatabase } from './postgres-database.js';

/** Where a test server keeps its data. */
export type TestServerDatabase = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

export interface TestServerOptions extends Partial<HirechatOptions> {
  /** HS256 secret of the tokens; default random. */
  secret?: string;
  /**
   * `sqlite`: a fresh file in the server's data folder. `postgres`: the database at `url`, which
   * the caller owns (the server migrates it, and leaves it in place when it stops).
   *
   * Default: what the environment says, so that whole suites switch without edits.
   * `HIRECHAT_TEST_DATABASE=postgres` means the database at `HIRECHAT_TEST_DATABASE_URL` or, when
   * that is unset, a new database of the server's own from `createTestDatabase()`, dropped when it
   * stops. Unset (or `sqlite`), SQLite.
   */
  database?: TestServerDatabase;
  /** Events each room's log keeps (see KnexChatStorageOptions); small ones make resyncs easy to test. */
  eventLogSize?: number;
}

export interface TestServer {
  server: Hapi.Server;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  secret: string;
  /** The folder holding the uploads (and the database, with SQLite). */
  dataDir: string;
  storage: KnexChatStorage;
  /** Signs a token for the user (default: a new random user). */
  token(claims?: { sub?: string; email?: string; name?: string; role?: Role }, expiresIn?: number): string;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/**
 * A real hirechat server on a free port, over a fresh SQLite file or a PostgreSQL database (see
 * `database`), for tests of apps and SDKs. Every call makes its own folder and secret.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { secret = randomBytes(32).toString('hex'), database, eventLogSize, ...pluginOptions } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'hirechat-test-'));
  const { storage, drop } = await openStorage(database ?? databaseFromEnvironment(), dataDir, {
    ...(eventLogSize === undefined ? {} : { eventLogSize }),
  });
  const server = Hapi.server({ host: '127.0.0.1', port: 0 });
  try {
    await server.register({
      plugin: hirechat,
      options: {
        storage,
        identity: new JwtIdentity({ secret }),
        files: new LocalFileStore(join(dataDir, 'media')),
        ...pluginOptions,
      },
    });
    await server.start();
  } catch (error) {
    // Nothing of a server that failed to start may outlive it: not its database, nor its folder.
    await server.stop().catch(() => {});
    await storage.close();
    await drop?.();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const port = server.info.port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    secret,
    dataDir,
    storage,
    token: (claims = {}, expiresIn) =>
      signAccessToken(secret, { ...claims, sub: claims.sub ?? randomUUID() }, expiresIn ? { expiresIn } : {}),
    async stop() {
      await server.stop({ timeout: 5_000 });
      await storage.close();
      await drop?.();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

interface OpenedStorage {
  storage: KnexChatStorage;
  /** Removes a database made for this server alone. */
  drop?: () => Promise<void>;
}

/** A database to open: PostgreSQL without a URL is a new database of the server's own. */
type DatabaseRequest = { kind: 'sqlite' } | { kind: 'postgres'; url?: string };

async function openStorage(
  database: DatabaseRequest,
  dataDir: string,
  storageOptions: KnexChatStorageOptions,
): Promise<OpenedStorage> {
  if (database.kind === 'sqlite') {
    return {
      storage: new KnexChatStorage(createSqliteKnex(join(dataDir, 'hirechat.sqlite')), storageOptions),
    };
  }
  if (database.url) return { storage: new KnexChatStorage(createPostgresKnex(database.url), storageOptions) };
  const own = await createTestDatabase();
  return { storage: new KnexChatStorage(createPostgresKnex(own.url), storageOptions), drop: own.drop };
}

/** The database that HIRECHAT_TEST_DATABASE and HIRECHAT_TEST_DATABASE_URL ask for. */
function databaseFromEnvironment(): DatabaseRequest {
  const kind = process.env.HIRECHAT_TEST_DATABASE || 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') {
    throw new Error(`HIRECHAT_TEST_DATABASE must be "sqlite" or "postgres", not ${JSON.stringify(kind)}.`);
  }
  return kind === 'sqlite' ? { kind } : { kind, url: process.env.HIRECHAT_TEST_DATABASE_URL };
}
