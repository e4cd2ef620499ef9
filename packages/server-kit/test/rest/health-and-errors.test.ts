import { randomUUID } from 'node:crypto';
import { RestPaths } from '@hirechat/protocol';
import { startTestServer } from '@hirechat/server-kit/testing';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import {
  type Answer,
  api,
  bare,
  createRoom,
  expectDetail,
  expectMessage,
  expectRoom,
  expectRooms,
  newUser,
  sendText,
  useTestServer,
} from './http.js';
import { portOf, rawExchange, requestHead } from './raw-http.js';

/** Every REST path of the contract, with one method it does not answer. */
const KNOWN_PATHS = (message: string) => [
  { path: RestPaths.createRoom, wrong: 'GET', allow: ['POST'] },
  { path: RestPaths.listRooms, wrong: 'POST', allow: ['GET'] },
  { path: RestPaths.createMessage, wrong: 'GET', allow: ['POST'] },
  { path: RestPaths.createMessage, wrong: 'DELETE', allow: ['POST'] },
  { path: RestPaths.messageDetail(message), wrong: 'POST', allow: ['GET', 'PATCH', 'PUT', 'DELETE'] },
  { path: RestPaths.listMessages, wrong: 'PUT', allow: ['GET'] },
  { path: RestPaths.health, wrong: 'POST', allow: ['GET'] },
];

function expectUnauthorized(answer: Answer): string {
  const detail = expectDetail(answer, 401);
  expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
  return detail;
}

describe('GET /healthz', () => {
  const t = useTestServer();

  it('answers 200 without a token once the database answers', async () => {
    const answer = await api(t).get(RestPaths.health);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({ status: 'ok' });
  });

  it('answers 200 with a token too, even a bad one', async () => {
    expect((await newUser(t).api.get(RestPaths.health)).status).toBe(200);
    expect((await api(t, 'not-a-token').get(RestPaths.health)).status).toBe(200);
  });

  it('answers 503 with a JSON detail once the database is gone', async () => {
    const own = await startTestServer();
    try {
      await own.storage.close();
      const answer = await api(own).get(RestPaths.health);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toMatchObject({ detail: expect.any(String) });
    } finally {
      await own.stop();
    }
  });
});

describe('authentication', () => {
  const t = useTestServer();

  it('refuses a request without an Authorization header', async () => {
    expect(expectUnauthorized(await api(t).get(RestPaths.listRooms))).toMatch(/credentials/i);
  });

  it('refuses malformed Authorization headers', async () => {
    const token = t.token();
    for (const authorization of [
      '',
      'Bearer',
      'Bearer ',
      `Token ${token}`,
      `Basic ${Buffer.from('ann:secret').toString('base64')}`,
      `Bearer ${token} extra`,
      token,
    ]) {
      const answer = await api(t).get(RestPaths.listRooms, { authorization });
      expectUnauthorized(answer);
    }
  });

  it('refuses tokens that are not JWTs', async () => {
    for (const token of ['abc', 'a.b.c', 'null', `${t.token()}x`]) {
      expectUnauthorized(await api(t, token).get(RestPaths.listRooms));
    }
  });

  it('refuses a token with a bad signature', async () => {
    const forged = jwt.sign({ sub: randomUUID() }, 'some other secret', { expiresIn: 60 });
    expectUnauthorized(await api(t, forged).get(RestPaths.listRooms));
  });

  it('refuses an unsigned token (alg none)', async () => {
    const unsigned = jwt.sign({ sub: randomUUID() }, null, { algorithm: 'none' });
    expectUnauthorized(await api(t, unsigned).get(RestPaths.listRooms));
  });

  it('refuses an expired token, saying so', async () => {
    const expired = t.token({ sub: randomUUID() }, -60);
    expect(expectUnauthorized(await api(t, expired).get(RestPaths.listRooms))).toMatch(/expired/i);
  });

  it('refuses a token whose sub is not a UUID, or that names no user', async () => {
    expectUnauthorized(await api(t, t.token({ sub: 'ann' })).get(RestPaths.listRooms));
    expectUnauthorized(await api(t, t.token({ sub: '42' })).get(RestPaths.listRooms));
    const noUser = jwt.sign({ email: 'x@example.com' }, t.secret, { expiresIn: 60 });
    expectUnauthorized(await api(t, noUser).get(RestPaths.listRooms));
  });

  it('takes the user from `user_id` when there is no `sub` (Django SimpleJWT)', async () => {
    const id = randomUUID();
    const simpleJwt = jwt.sign({ token_type: 'access', jti: randomUUID(), user_id: id }, t.secret, {
      expiresIn: 60,
    });
    const client = newUser(t);

    const room = expectRoom(
      await api(t, simpleJwt).post(RestPaths.createRoom, { recruiter: id, clients: [client.id] }),
      201,
    );
    const message = expectMessage(
      await api(t, simpleJwt).post(RestPaths.createMessage, { chat_room: room.uuid, content: 'hi' }),
      201,
    );

    expect(message.sender).toBe(id);
    expect(expectRooms(await api(t, simpleJwt).get(RestPaths.listRooms)).map((r) => r.uuid)).toEqual([
      room.uuid,
    ]);
  });

  it('accepts the scheme in any case', async () => {
    const user = newUser(t);
    const answer = await api(t).get(RestPaths.listRooms, { authorization: `bearer ${user.token}` });
    expect(expectRooms(answer)).toEqual([]);
  });

  it('refuses every protected path the same way', async () => {
    const user = newUser(t);
    const room = await createRoom(user, user, [newUser(t)]);
    const message = await sendText(user, room, 'x');
    for (const [method, path] of [
      ['POST', RestPaths.createRoom],
      ['GET', RestPaths.listRooms],
      ['POST', RestPaths.createMessage],
      ['GET', RestPaths.messageDetail(message.uuid)],
      ['PATCH', RestPaths.messageDetail(message.uuid)],
      ['PUT', RestPaths.messageDetail(message.uuid)],
      ['DELETE', RestPaths.messageDetail(message.uuid)],
      ['GET', RestPaths.listMessages],
    ] as const) {
      expectUnauthorized(
        await api(t).send(method, path, { json: method === 'GET' || method === 'DELETE' ? undefined : {} }),
      );
      expectUnauthorized(await api(t, t.token({}, -1)).send(method, bare(path)));
    }
  });
});

describe('paths and methods', () => {
  const t = useTestServer();

  it('answers a wrong method on a known path with 405, an Allow header and a JSON detail', async () => {
    const user = newUser(t);
    const message = await sendText(user, await createRoom(user, user, [newUser(t)]), 'x');
    for (const { path, wrong, allow } of KNOWN_PATHS(message.uuid)) {
      for (const spelling of [path, bare(path)]) {
        const answer = await user.api.send(wrong, spelling);
        expect(expectDetail(answer, 405), `${wrong} ${spelling}`).toMatch(new RegExp(wrong));
        const allowed = (answer.headers.get('allow') ?? '').split(/,\s*/).sort();
        expect(allowed, `${wrong} ${spelling}`).toEqual([...allow].sort());
      }
    }
  });

  it('answers TRACE on a known path with 405 and Allow, as any other method it does not serve', async () => {
    // fetch refuses to send TRACE; Node's HTTP parser passes it on to Hapi.
    for (const { path, allow } of KNOWN_PATHS(randomUUID())) {
      const answer = await rawExchange(portOf(t.url), {
        head: requestHead('TRACE', path, { Connection: 'close' }),
      });
      expect(answer.status, path).toBe(405);
      expect(answer.text).toMatch(/\r\ncontent-type: application\/json/i);
      expect(answer.json).toMatchObject({
        code: 'method_not_allowed',
        detail: expect.stringMatching(/TRACE/),
      });
      const allowed = /\r\nallow: ([^\r]*)/i.exec(answer.text)?.[1]?.split(/,\s*/).sort();
      expect(allowed, path).toEqual([...allow].sort());
    }
  });

  it('answers OPTIONS that is no CORS preflight with 405 and Allow, on known paths only', async () => {
    const notPreflights: Record<string, string>[] = [
      {},
      { 'access-control-request-method': 'GET' },
      { origin: 'https://a.example' },
    ];
    for (const headers of notPreflights) {
      for (const { path, allow } of KNOWN_PATHS(randomUUID())) {
        const answer = await api(t).send('OPTIONS', bare(path), { headers });
        expect(expectDetail(answer, 405), path).toMatch(/OPTIONS/);
        expect((answer.headers.get('allow') ?? '').split(/,\s*/).sort(), path).toEqual([...allow].sort());
      }
    }
    expectDetail(await api(t).send('OPTIONS', '/chats/nope/'), 404);
  });

  it('answers 405 before asking for credentials', async () => {
    const answer = await api(t).send('DELETE', RestPaths.listRooms);
    expectDetail(answer, 405);
    expect(answer.headers.get('allow')).toBe('GET');
  });

  it("answers an unknown path under the plugin's prefixes with a 404 JSON detail, for any method", async () => {
    const user = newUser(t);
    for (const path of [
      '/chats/',
      '/chats/chat-room/',
      '/chats/chat-room/delete/',
      '/chats/messages/detail/',
      `/chats/messages/detail/${randomUUID()}/extra/`,
      '/media/',
      '/media/chat_files/a/b.png',
    ]) {
      expectDetail(await user.api.get(path), 404);
      expectDetail(await user.api.send('POST', path, { json: {} }), 404);
      expectDetail(await api(t).send('DELETE', path), 404);
    }
  });

  it('leaves paths outside its prefixes to the host, which answers 404', async () => {
    // The host's own 404 body, which the plugin does not reshape (its error shaping is sandboxed).
    for (const path of ['/nope', '/healthz/extra']) expect((await api(t).get(path)).status).toBe(404);
  });

  it('answers HEAD on a GET path without a body', async () => {
    const response = await api(t).fetch(RestPaths.health, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});

describe("requests Node's HTTP parser refuses", () => {
  const t = useTestServer();
  const long = 'a'.repeat(17_000);

  it('answers a URL or headers past the size limit with 431 and a JSON detail', async () => {
    for (const head of [
      requestHead('GET', `${RestPaths.listMessages}?sender_email=${long}`, {
        Authorization: `Bearer ${t.token({})}`,
      }),
      requestHead('GET', RestPaths.health, { 'X-Long': long }),
    ]) {
      const answer = await rawExchange(portOf(t.url), { head });
      expect(answer.status).toBe(431);
      expect(answer.text).toMatch(/\r\ncontent-type: application\/json/i);
      expect(answer.json).toEqual({ detail: expect.any(String), code: 'headers_too_large' });
    }
  });

  it('answers a request it cannot parse with 400 and a JSON detail', async () => {
    for (const head of ['GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n', 'GET /\x01 HTTP/1.1\r\n\r\n']) {
      const answer = await rawExchange(portOf(t.url), { head });
      expect(answer.status, JSON.stringify(head)).toBe(400);
      expect(answer.text).toMatch(/\r\ncontent-type: application\/json/i);
      expect(answer.json).toEqual({ detail: expect.any(String), code: 'invalid_input' });
    }
  });
});

describe('CORS with any origin allowed (the default)', () => {
  const t = useTestServer();

  it('answers a preflight from a page, allowing the Authorization header', async () => {
    for (const path of [
      RestPaths.listMessages,
      RestPaths.createMessage,
      RestPaths.messageDetail(randomUUID()),
    ]) {
      const response = await api(t).fetch(path, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://anywhere.example',
          'access-control-request-method': path === RestPaths.listMessages ? 'GET' : 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
      expect(response.headers.get('access-control-allow-origin')).toMatch(
        /^(\*|https:\/\/anywhere\.example)$/,
      );
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    }
  });

  it('exposes Link to pages', async () => {
    const user = newUser(t);
    const room = await createRoom(user, user, [newUser(t)]);
    await sendText(user, room, 'one');
    await sendText(user, room, 'two');

    const response = await user.api.fetch(`${RestPaths.listMessages}?limit=1`, {
      headers: { origin: 'https://anywhere.example' },
    });

    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(response.headers.get('link')).toMatch(/rel="?next"?/);
    expect(response.headers.get('access-control-allow-origin')).toMatch(/^(\*|https:\/\/anywhere\.example)$/);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/,\s*/);
    expect(exposed).toContain('link');
  });
});

describe('CORS with allowedOrigins', () => {
  const t = useTestServer({ allowedOrigins: ['https://app.example'] });

  const preflight = (origin: string) =>
    api(t).fetch(RestPaths.createRoom, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('answers a preflight from an allowed origin', async () => {
    const response = await preflight('https://app.example');
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('gives another origin no Access-Control-Allow-Origin, on preflights and on requests', async () => {
    const response = await preflight('https://evil.example');
    // Hapi answers the preflight without any CORS header, so the browser refuses the request.
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
    await response.arrayBuffer();

    const user = newUser(t);
    const answer = await user.api.get(RestPaths.listRooms, { origin: 'https://evil.example' });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();

    const allowed = await user.api.get(RestPaths.listRooms, { origin: 'https://app.example' });
    expect(expectRooms(allowed)).toEqual([]);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('still answers health checks and same-origin requests without an Origin', async () => {
    expect((await api(t).get(RestPaths.health)).status).toBe(200);
    expect(expectRooms(await newUser(t).api.get(RestPaths.listRooms))).toEqual([]);
  });
});
