import { randomUUID } from 'node:crypto';
import { CloseCode, RestPaths, roomSocketPath } from '@hirechat/protocol';
import {
  DEFAULT_REQUEST_DEADLINES,
  type Identity,
  JwtIdentity,
  type VerifiedToken,
} from '@hirechat/server-kit';
import { startTestServer, type TestServer } from '@hirechat/server-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOAD_LIMITS } from '../catalog/load-limits.js';
import { REST_ROUTES } from '../catalog/rest-routes.js';
import { freshTargets, makeWorld, type World } from '../catalog/world.js';
import { portOf, rawExchange, requestHead } from '../rest/raw-http.js';
import { TestSocket } from '../ws/socket.js';

/*
 * Contract, "Limits": every phase of a request has a deadline (issue 9, fault 7). Each phase is
 * driven by hand over a raw socket, slower than its deadline, and the server must answer (where
 * the client can still read an answer) and free the connection in time.
 */

const DEADLINES = { headersMs: 1_000, bodyMs: 1_000, keepAliveMs: 500, handshakeMs: 1_000 };
/** How late a deadline may act: Node checks header deadlines once a second. */
const SLACK_MS = 1_500;

const TIMED_OUT = { detail: expect.any(String), code: 'request_timeout' };

describe('request deadlines', () => {
  let t: TestServer;
  let world: World;

  beforeAll(async () => {
    t = await startTestServer({ deadlines: DEADLINES, limits: LOAD_LIMITS });
    world = await makeWorld(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('headers', () => {
    it('a request whose headers trickle in is answered 408 in JSON and closed', async () => {
      const exchange = await rawExchange(portOf(t.url), {
        head: 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n',
        trickle: 'X-Slow: yes\r\n',
      });
      expect(exchange.status, exchange.text).toBe(408);
      expect(exchange.json).toEqual(TIMED_OUT);
      expect(exchange.closedAfterMs).toBeLessThan(DEADLINES.headersMs + SLACK_MS);
    });

    it('so is a WebSocket upgrade whose headers trickle in', async () => {
      const targets = await freshTargets(world);
      const exchange = await rawExchange(portOf(t.url), {
        head:
          `GET ${roomSocketPath(targets.room)}?token=${world.client.token} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n',
        trickle: 'X-Slow: yes\r\n',
      });
      expect(exchange.status, exchange.text).toBe(408);
      expect(exchange.json).toEqual(TIMED_OUT);
      expect(exchange.closedAfterMs).toBeLessThan(DEADLINES.headersMs + SLACK_MS);
    });

    it('a connection that sends nothing at all is closed too', async () => {
      const exchange = await rawExchange(portOf(t.url), { head: 'G', trickle: 'E', trickleMs: 5_000 });
      expect(exchange.status).toBe(408);
      expect(exchange.closedAfterMs).toBeLessThan(DEADLINES.headersMs + SLACK_MS);
    });
  });

  describe('body', () => {
    const types = {
      json: 'application/json',
      urlencoded: 'application/x-www-form-urlencoded',
      multipart: 'multipart/form-data; boundary=hirechat-boundary',
    } as const;
    const cases = REST_ROUTES.flatMap((route) =>
      (route.bodyTypes ?? []).map((type) => [route.name, type, route] as const),
    );

    it.each(cases)(
      '%s, a %s body that trickles in: 408 in JSON within the deadline, and closed',
      async (_, type, route) => {
        const targets = await freshTargets(world);
        const exchange = await rawExchange(portOf(t.url), {
          head: requestHead(route.method, route.path(targets), {
            Authorization: `Bearer ${world.recruiter.token}`,
            'Content-Type': types[type],
            'Content-Length': 10_000,
          }),
          trickle: 'a',
        });
        expect(exchange.status, exchange.text).toBe(408);
        expect(exchange.json).toEqual(TIMED_OUT);
        expect(exchange.closedAfterMs).toBeLessThan(DEADLINES.bodyMs + SLACK_MS);
      },
    );

    it.each([
      ['DELETE of a message', 'DELETE', (m: string) => RestPaths.messageDetail(m), 204, true],
      ['a method the path does not take', 'POST', () => RestPaths.listRooms, 405, true],
      ['an unknown path', 'POST', () => '/chats/nothing/here/', 404, true],
      ['a request without a token', 'POST', () => RestPaths.createMessage, 401, false],
    ] as const)(
      '%s, with a body trickling in, is answered at once and closed',
      async (_, method, path, status, signedIn) => {
        const targets = await freshTargets(world);
        const exchange = await rawExchange(portOf(t.url), {
          head: requestHead(method, path(targets.message), {
            ...(signedIn ? { Authorization: `Bearer ${world.recruiter.token}` } : {}),
            'Content-Type': 'application/json',
            'Content-Length': 10_000,
          }),
          trickle: 'a',
        });
        expect(exchange.status, exchange.text).toBe(status);
        // Long before any deadline: nothing waits for a body that nobody reads.
        expect(exchange.closedAfterMs).toBeLessThan(DEADLINES.bodyMs);
      },
    );
  });

  it('an idle kept-alive connection is closed after the keep-alive deadline', async () => {
    const exchange = await rawExchange(portOf(t.url), {
      head: requestHead('GET', RestPaths.health, { Connection: 'keep-alive' }),
    });
    expect(exchange.status).toBe(200);
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(DEADLINES.keepAliveMs - 50);
    expect(exchange.closedAfterMs).toBeLessThan(DEADLINES.keepAliveMs + SLACK_MS);
  });
});

describe('WebSocket handshake deadline', () => {
  /** An identity that, while `holding`, answers only when the test lets it (a hung token service). */
  class HeldIdentity implements Identity {
    holding = false;
    readonly held: Array<() => void> = [];
    constructor(private readonly inner: Identity) {}
    async verify(token: string): Promise<VerifiedToken> {
      if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
      return this.inner.verify(token);
    }
  }

  it('a socket not admitted within the deadline is opened and closed with 1011, and a late admission is let go', async () => {
    const secret = randomUUID();
    const identity = new HeldIdentity(new JwtIdentity({ secret }));
    const t = await startTestServer({ secret, identity, deadlines: { handshakeMs: 500 } });
    try {
      const world = await makeWorld(t);
      const targets = await freshTargets(world);
      identity.holding = true;
      const started = Date.now();
      const socket = new TestSocket({ wsUrl: t.wsUrl, room: targets.room, token: world.client.token });
      expect(await socket.handshake).toEqual({ kind: 'open' });
      expect((await socket.closed()).code).toBe(CloseCode.InternalError);
      expect(Date.now() - started).toBeLessThan(500 + SLACK_MS);

      // The admission that comes through late is given back; the room's sockets work as before.
      identity.holding = false;
      for (const release of identity.held.splice(0)) release();
      const again = new TestSocket({ wsUrl: t.wsUrl, room: targets.room, token: world.client.token });
      try {
        expect(await again.handshake).toEqual({ kind: 'open' });
        again.send({ type: 'typing', typing: true });
        expect(await again.next('typing')).toEqual({ type: 'typing', typing_users: [world.client.id] });
      } finally {
        await again.terminate();
      }
    } finally {
      await t.stop();
    }
  });
});

describe('default deadlines', () => {
  it('are those the README gives', () => {
    expect(DEFAULT_REQUEST_DEADLINES).toEqual({
      headersMs: 10_000,
      bodyMs: 10_000,
      keepAliveMs: 5_000,
      handshakeMs: 10_000,
    });
  });

  it("a create whose body trickles in a byte a second is answered 408 within ~10 s (the issue's case)", async () => {
    const t = await startTestServer();
    try {
      const world = await makeWorld(t);
      const exchange = await rawExchange(portOf(t.url), {
        head: requestHead('POST', RestPaths.createMessage, {
          Authorization: `Bearer ${world.recruiter.token}`,
          'Content-Type': 'multipart/form-data; boundary=x',
          'Content-Length': 10_000,
        }),
        trickle: 'a',
        trickleMs: 1_000,
      });
      expect(exchange.status, exchange.text).toBe(408);
      expect(exchange.json).toEqual(TIMED_OUT);
      expect(exchange.closedAfterMs).toBeLessThan(12_000);
    } finally {
      await t.stop();
    }
  }, 30_000);
});
