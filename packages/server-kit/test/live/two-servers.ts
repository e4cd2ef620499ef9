import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '@hirechat/server-kit/testing';
import { afterEach, expect } from 'vitest';
import { InProcessBroadcaster } from '../../src/broadcast/in-process-broadcaster.js';
import type { Broadcaster } from '../../src/ports/broadcaster.js';
import type { PresenceState } from '../../src/ports/presence-state.js';
import { InProcessPresenceState } from '../../src/presence/in-process-presence-state.js';
import { RedisPresenceState } from '../../src/presence/redis-presence-state.js';
import { RedisTypingState } from '../../src/typing/redis-typing-state.js';
import { connectRedis, deleteKeys, testPrefix } from '../redis/redis-clients.js';
import { TestSocket } from '../ws/socket.js';

/*
 * Two servers that act as two processes of one deployment: one PostgreSQL database, one
 * broadcaster between them (in process here, where Redis carries events between real processes),
 * presence shared in process or, as real processes keep it and typing, a RedisPresenceState and a
 * RedisTypingState each over the test Redis, and one token secret. Everything is stopped after
 * each test.
 */

export interface User {
  id: string;
  token: string;
}

export interface Answer {
  status: number;
  body: unknown;
}

export interface TwoServers {
  first: TestServer;
  second: TestServer;
  /** Each server's presence state (the same one twice unless `states` is `redis`). */
  presences: readonly [PresenceState, PresenceState];
  /**
   * Stops the server as a process on its way out does: the server, then (with `states: 'redis'`)
   * its presence and typing states, then its storage.
   */
  stop(server: TestServer): Promise<void>;
  user(): User;
  call(server: TestServer, token: string, method: string, path: string, body?: unknown): Promise<Answer>;
  /** Opens the user's socket to the room on the server and resolves once it is open. */
  open(server: TestServer, room: string, token: string): Promise<TestSocket>;
}

/** Each server's link to the shared broadcaster; by default the broadcaster itself. */
export interface Link extends Broadcaster {
  to(shared: Broadcaster): Broadcaster;
}

/** Registers the cleanup of a describe block; answers a function that starts the two servers. */
export function useTwoServers(): (options?: {
  links?: readonly [Link, Link];
  /**
   * `shared` (default): one in-process presence state, and each server's own in-process typing
   * state; `redis`: a RedisPresenceState and a RedisTypingState per server.
   */
  states?: 'shared' | 'redis';
  /** More options of each server (webhooks, say). */
  options?: readonly [TestServerOptions, TestServerOptions];
}) => Promise<TwoServers> {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  return async ({ links, states = 'shared', options } = {}) => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const shared = new InProcessBroadcaster();
    cleanups.push(() => shared.close());
    const presences: PresenceState[] = [];
    const typings: Array<RedisTypingState | undefined> = [];
    if (states === 'shared') {
      const presence = new InProcessPresenceState();
      cleanups.push(() => presence.close());
      presences.push(presence, presence);
    } else {
      const prefix = testPrefix();
      for (let i = 0; i < 2; i++) {
        const redis = await connectRedis();
        cleanups.push(async () => {
          await deleteKeys(redis, prefix);
          await redis.quit();
        });
        const presence = new RedisPresenceState({ redis, prefix });
        const typing = new RedisTypingState({ redis, prefix });
        cleanups.push(async () => {
          await presence.close();
          await typing.close();
        });
        presences.push(presence);
        typings.push(typing);
      }
    }
    const secret = randomUUID();
    const servers: TestServer[] = [];
    for (const [i, link] of (links ?? [null, null]).entries()) {
      const server = await startTestServer({
        secret,
        database: { kind: 'postgres', url: database.url },
        broadcaster: link ? link.to(shared) : shared,
        presence: presences[i],
        ...(typings[i] ? { typingState: typings[i] } : {}),
        ...options?.[i],
      });
      cleanups.push(() => server.stop());
      servers.push(server);
    }
    const [first, second] = servers as [TestServer, TestServer];
    return {
      first,
      second,
      presences: presences as [PresenceState, PresenceState],
      async stop(server) {
        const i = servers.indexOf(server);
        await server.server.stop();
        if (states === 'redis') {
          await presences[i]?.close();
          await typings[i]?.close();
        }
        await server.stop();
      },
      user() {
        const id = randomUUID();
        return { id, token: first.token({ sub: id }) };
      },
      async call(server, token, method, path, body) {
        const response = await fetch(server.url + path, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
      },
      async open(server, room, token) {
        const socket = new TestSocket({ wsUrl: server.wsUrl, room, token, presence: true });
        cleanups.push(() => socket.terminate());
        expect(await socket.handshake).toEqual({ kind: 'open' });
        return socket;
      },
    };
  };
}
