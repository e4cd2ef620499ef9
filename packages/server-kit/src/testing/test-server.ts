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
import { KnexChatStorage } from '../storage/knex-chat-storage.js';
import { createSqliteKnex } from '../storage/sqlite.js';

export interface TestServerOptions extends Partial<HirechatOptions> {
  /** HS256 secret of the tokens; default random. */
  secret?: string;
}

export interface TestServer {
  server: Hapi.Server;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  secret: string;
  /** The folder holding the database and uploads. */
  dataDir: string;
  storage: KnexChatStorage;
  /** Signs a token for the user (default: a new random user). */
  token(claims?: { sub?: string; email?: string; name?: string; role?: Role }, expiresIn?: number): string;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/**
 * A real hirechat server on a free port over a fresh SQLite file, for tests of apps and SDKs.
 * Every call makes its own folder, database and secret.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { secret = randomBytes(32).toString('hex'), ...pluginOptions } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'hirechat-test-'));
  const storage = new KnexChatStorage(createSqliteKnex(join(dataDir, 'hirechat.sqlite')));
  const server = Hapi.server({ host: '127.0.0.1', port: 0 });
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
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
