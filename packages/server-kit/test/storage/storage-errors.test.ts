import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatError } from '../../src/domain/chat-error.js';
import { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import { createPostgresKnex } from '../../src/storage/postgres.js';
import {
  DATABASE_UNAVAILABLE,
  isDatabaseUnreachable,
  translateStorageError,
} from '../../src/storage/storage-errors.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('translateStorageError', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['an unreachable host', withCode('EHOSTUNREACH')],
    [
      'a Unix socket with no server',
      Object.assign(withCode('ENOENT', 'connect ENOENT /run/postgresql/.s.PGSQL.5432'), {
        syscall: 'connect',
      }),
    ],
    [
      'an administrator shutdown (57P01)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    [
      'a server starting up or shutting down (57P03)',
      withCode('57P03', 'the database system is starting up'),
    ],
    ['a connection exception (08006)', withCode('08006', 'connection failure')],
    ['a server out of connections (53300)', withCode('53300', 'sorry, too many clients already')],
    ['a connection that ended under a query', new Error('Connection terminated unexpectedly')],
    ['a connection that the server never answered', new Error('timeout expired')],
    ['a query that got no answer on an open connection', new Error('Query read timeout')],
    ['a connection that pg-pool timed out', new Error('Connection terminated due to connection timeout')],
    [
      "knex's acquire timeout",
      named('KnexTimeoutError', 'Knex: Timeout acquiring a connection. The pool is probably full.'),
    ],
    ['SQLite busy past its timeout', withCode('SQLITE_BUSY', 'database is locked')],
    [
      'a refusal from every address of the host',
      Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), {
        code: 'ECONNREFUSED',
      }),
    ],
    ['a refusal given as the cause', new Error('query failed', { cause: withCode('ECONNREFUSED') })],
  ])('answers %s as unavailable, keeping it as the cause', (_, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
    const translated = translateStorageError(error);

    expect(translated).toBeInstanceOf(ChatError);
    expect(translated).toMatchObject({ code: 'unavailable', message: DATABASE_UNAVAILABLE, cause: error });
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601', 'syntax error at or near "as"')],
    ['a missing table', withCode('42P01', 'relation "messages" does not exist')],
    ['a bad password', withCode('28P01', 'password authentication failed for user "postgres"')],
    ['an SQLite constraint', withCode('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed')],
    ["knex's query timeout", named('KnexTimeoutError', 'Defined query timeout of 1000ms exceeded')],
    ['a missing file', Object.assign(withCode('ENOENT', 'no such file'), { syscall: 'open' })],
    ['a plain error', new Error('something else')],
    ['a value that is not an error', 'ECONNREFUSED'],
  ])('leaves %s as it is', (_, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
    expect(translateStorageError(error)).toBe(error);
  });

  it('leaves a ChatError as it is', () => {
    const error = ChatError.notFound();
    expect(translateStorageError(error)).toBe(error);
  });
});

describe('KnexChatStorage over a PostgreSQL that cannot be reached', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A TCP server that accepts connections and never says a word, as a hung database would. */
  async function silentPeer(): Promise<number> {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('no port');
    return address.port;
  }

  /** A port that nothing listens on: the silent peer's, once it has closed. */
  async function closedPort(): Promise<number> {
    const port = await silentPeer();
    await cleanups.pop()!();
    return port;
  }

  function storageAt(connection: Parameters<typeof createPostgresKnex>[0]): KnexChatStorage {
    const storage = new KnexChatStorage(createPostgresKnex(connection));
    cleanups.push(() => storage.close());
    return storage;
  }

  it('answers a refused connection as unavailable at once, on every call', async () => {
    const storage = storageAt(`postgres://postgres@127.0.0.1:${await closedPort()}/test`);

    for (const call of [
      () => storage.getRoom(randomUUID()),
      () => storage.listRooms({ viewer: randomUUID() }),
      () => storage.idsByEmail('someone@example.com'),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'unavailable', message: DATABASE_UNAVAILABLE });
    }
    await expect(storage.ping()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives up on a database that accepts the connection and never answers', async () => {
    const port = await silentPeer();
    // The default wait is 5 s; a shorter one keeps the test quick and tests the same path.
    const storage = storageAt({
      connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
      connectionTimeoutMillis: 200,
    });

    await expect(storage.getRoom(randomUUID())).rejects.toMatchObject({ code: 'unavailable' });
  });
});
