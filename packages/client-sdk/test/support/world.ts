import { randomUUID } from 'node:crypto';
import type { ChatRoom } from '@hirechat/protocol';
import { startTestServer, type TestServer, type TestServerOptions } from '@hirechat/server-kit/testing';
import { afterEach } from 'vitest';
import {
  ChatClient,
  type ChatClientOptions,
  type ConnectOptions,
  type InboxOptions,
  type LiveInbox,
  type ReconnectOptions,
  type RoomConnection,
} from '../../src/index.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Quick reconnects, so that tests of drops take milliseconds rather than seconds. */
export const FAST_RECONNECT: ReconnectOptions = { baseDelayMs: 20, maxDelayMs: 200 };

/*
 * The world of one SDK test: a real hirechat server from startTestServer() (port 0, its own
 * database), users, clients of the SDK, and proxies, all closed after each test.
 */
export interface World {
  server: TestServer;
  /** A new user id. */
  user(): string;
  /**
   * A ChatClient for the user, straight to the server unless `baseUrl` says otherwise. Its token
   * function signs a fresh token for each request and connection attempt.
   */
  client(user: string, options?: Partial<ChatClientOptions>): ChatClient;
  /** Creates a room of the recruiter and clients, as the recruiter. */
  room(recruiter: string, clients: string[]): Promise<ChatRoom>;
  /** Connects a live room (closed after the test). */
  connect(chat: ChatClient, room: string, options?: ConnectOptions): RoomConnection;
  /** Opens the client's live inbox (closed after the test). */
  inbox(chat: ChatClient, options?: InboxOptions): LiveInbox;
  /** A TCP proxy in front of the server (closed after the test). */
  proxy(): Promise<TcpProxy>;
}

export function useWorld(): { start(options?: TestServerOptions): Promise<World> } {
  const servers: TestServer[] = [];
  const connections: Array<RoomConnection | LiveInbox> = [];
  const proxies: TcpProxy[] = [];

  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.close();
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  return {
    async start(options = {}) {
      const server = await startTestServer(options);
      servers.push(server);
      const world: World = {
        server,
        user: () => randomUUID(),
        client: (user, options = {}) =>
          new ChatClient({
            baseUrl: server.url,
            token: () => server.token({ sub: user, email: `${user.slice(0, 8)}@example.com` }),
            reconnect: FAST_RECONNECT,
            ...options,
          }),
        room: (recruiter, clients) => world.client(recruiter).rooms.create({ recruiter, clients }),
        connect(chat, room, options) {
          const live = chat.connect(room, options);
          connections.push(live);
          return live;
        },
        inbox(chat, options) {
          const inbox = chat.inbox(options);
          connections.push(inbox);
          return inbox;
        },
        async proxy() {
          const proxy = await startTcpProxy(server.url);
          proxies.push(proxy);
          return proxy;
        },
      };
      return world;
    },
  };
}
