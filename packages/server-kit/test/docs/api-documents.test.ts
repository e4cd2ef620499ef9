import { Parser } from '@asyncapi/parser';
import type { RequestRoute } from '@hapi/hapi';
import * as protocol from '@hirechat/protocol';
import { type EventUnion, eventTypeOf, messageKey, SOCKET_CHANNELS } from '@hirechat/protocol';
import { startTestServer } from '@hirechat/server-kit/testing';
import { compileErrors, validate } from '@readme/openapi-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { api, createRoom, newUser, useTestServer } from '../rest/http.js';

/*
 * The API documents as a client gets them (over HTTP from a real server), checked with their own
 * ecosystems' parsers and against what the server really serves: its route table and its sockets,
 * and the protocol's event unions.
 */

type Json = Record<string, unknown>;
type Operation = { security?: unknown[]; requestBody?: { content: Json } };

const WHERE_ROUTES = 'packages/protocol/src/api/rest-operations.ts (REST_OPERATIONS)';
const WHERE_EVENTS = 'packages/protocol/src/api/socket-channels.ts (SOCKET_CHANNELS)';

/** The plugin's routes that are operations of the API, as `METHOD path`. */
function servedOperations(routes: RequestRoute[]): RequestRoute[] {
  return routes.filter(
    (route) => route.realm.plugin === 'hirechat' && route.settings.plugins?.hirechat?.operation !== false,
  );
}

/** The documented path a served path is a spelling of: itself, or itself with the trailing slash. */
function documentedPath(paths: Json, served: string): string | undefined {
  if (served in paths) return served;
  if (`${served}/` in paths) return `${served}/`;
  return undefined;
}

async function getJson(url: string): Promise<{ status: number; type: string | null; body: Json }> {
  // No connection kept alive: the validations after this take about as long as the server keeps an
  // idle connection (5 s), and a request sent on one as the server closes it is reset.
  const response = await fetch(url, { headers: { connection: 'close' } });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

describe('API documents', () => {
  // The validations below take about as long as the server keeps an idle connection by default
  // (5 s): a request sent on a pooled connection just as the server closes it would be reset.
  const t = useTestServer({ deadlines: { keepAliveMs: 60_000 } });
  let openapi: Json;
  let asyncapi: Json;

  beforeAll(async () => {
    const [rest, live] = await Promise.all([
      getJson(`${t.url}${protocol.OPENAPI_DOCUMENT_PATH}`),
      getJson(`${t.url}${protocol.ASYNCAPI_DOCUMENT_PATH}`),
    ]);
    expect([rest.status, live.status]).toEqual([200, 200]);
    expect(rest.type).toMatch(/^application\/json/);
    expect(live.type).toMatch(/^application\/json/);
    openapi = rest.body;
    asyncapi = live.body;
  });

  it('serves a valid OpenAPI 3.1 document, to anyone', async () => {
    expect(openapi.openapi).toBe('3.1.0');
    // The parser dereferences in place; it gets a copy so the other tests see the document as served.
    const result = await validate(structuredClone(openapi) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('serves a valid AsyncAPI 3.0 document, whose server is the host the client reached', async () => {
    expect(asyncapi.asyncapi).toBe('3.0.0');
    const { document, diagnostics } = await new Parser().parse(structuredClone(asyncapi) as never);
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(asyncapi.servers).toMatchObject({
      hirechat: { host: new URL(t.url).host, protocol: 'ws' },
    });
  });

  it('documents every operation the server serves', () => {
    const paths = openapi.paths as Record<string, Json>;
    const undocumented = servedOperations(t.server.table())
      .filter((route) => {
        const path = documentedPath(paths, route.path);
        return !path || !paths[path]?.[route.method];
      })
      .map((route) => `${route.method.toUpperCase()} ${route.path}`);
    expect(undocumented, `served but not documented: add each to ${WHERE_ROUTES}`).toEqual([]);
  });

  it('documents nothing the server does not serve, in either spelling of the path', () => {
    const served = new Set(
      servedOperations(t.server.table()).map((route) => `${route.method} ${route.path}`),
    );
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(openapi.paths as Record<string, Json>)) {
      for (const method of Object.keys(methods)) {
        const spellings = path.endsWith('/') ? [path, path.slice(0, -1)] : [path];
        for (const spelling of spellings) {
          if (!served.has(`${method} ${spelling}`)) missing.push(`${method.toUpperCase()} ${spelling}`);
        }
      }
    }
    expect(missing, `documented but not served: fix ${WHERE_ROUTES} or the routes`).toEqual([]);
  });

  it('documents the body types and the authentication of each route as the route has them', () => {
    const paths = openapi.paths as Record<string, Record<string, Operation>>;
    for (const route of servedOperations(t.server.table())) {
      const path = documentedPath(paths, route.path);
      const operation = path ? paths[path]?.[route.method] : undefined;
      if (!operation) continue; // reported by the test above
      const name = `${route.method.toUpperCase()} ${route.path}`;
      const documentedTypes = Object.keys(operation.requestBody?.content ?? {}).sort();
      const acceptedTypes =
        route.method === 'get' || route.method === 'delete' ? [] : route.settings.payload?.allow;
      expect(documentedTypes, `body types of ${name}`).toEqual([...(acceptedTypes ?? [])].sort());
      const open = Array.isArray(operation.security) && operation.security.length === 0;
      expect(open, `${name} needs no token`).toBe((route.settings.auth as unknown) === false);
    }
  });

  it('documents every webhook of the protocol, as the request the server makes', () => {
    const webhooks = openapi.webhooks as Record<string, { post: Operation & { requestBody: Json } }>;
    const types = protocol.WebhookEventSchema.options.map((event) => eventTypeOf(event));
    expect(Object.keys(webhooks).sort()).toEqual([...types].sort());
    for (const type of types) {
      const body = webhooks[type]?.post.requestBody as {
        content: Record<string, { schema: { $ref: string } }>;
      };
      const name = body.content['application/json']?.schema.$ref.split('/').pop() ?? '';
      const schema = (openapi.components as { schemas: Record<string, Json> }).schemas[name] as {
        properties: { type: { const: string } };
      };
      expect(schema.properties.type.const, `schema of the ${type} webhook`).toBe(type);
    }
  });

  it('documents every event of every event union the protocol exports, on the socket that carries it', () => {
    const unions = (Object.entries(protocol) as Array<[string, unknown]>).filter(
      (entry): entry is [string, EventUnion] =>
        entry[1] instanceof z.ZodDiscriminatedUnion &&
        entry[1].def.discriminator === 'type' &&
        // Webhooks are requests the server makes, not socket events: the test above covers them.
        entry[1] !== protocol.WebhookEventSchema,
    );
    expect(unions.map(([name]) => name)).toEqual(
      expect.arrayContaining(['ServerEventSchema', 'ClientEventSchema']),
    );
    const channels = asyncapi.channels as Record<string, { messages: Json }>;
    const operations = Object.values(
      asyncapi.operations as Record<string, { messages: Array<{ $ref: string }> }>,
    );
    const referenced = new Set(
      operations.flatMap((operation) => operation.messages.map((message) => message.$ref)),
    );
    for (const [name, union] of unions) {
      const channel = SOCKET_CHANNELS.find(
        (entry) => entry.serverEvents === union || entry.clientEvents === union,
      );
      expect(channel, `${name} is carried by no socket of ${WHERE_EVENTS}`).toBeDefined();
      if (!channel) continue;
      const direction = channel.serverEvents === union ? 'server' : 'client';
      for (const event of union.options) {
        const key = messageKey(direction, eventTypeOf(event));
        expect(channels[channel.id]?.messages, `${name}: ${key} on ${channel.id}`).toHaveProperty([key]);
        expect(referenced, `an operation sends ${key}`).toContain(`#/channels/${channel.id}/messages/${key}`);
      }
    }
  });

  it('documents no event that is not in the protocol', () => {
    const channels = asyncapi.channels as Record<string, { messages: Json }>;
    for (const channel of SOCKET_CHANNELS) {
      const expected = [
        ...channel.serverEvents.options.map((event) => messageKey('server', eventTypeOf(event))),
        ...channel.clientEvents.options.map((event) => messageKey('client', eventTypeOf(event))),
      ];
      expect(Object.keys(channels[channel.id]?.messages ?? {}).sort()).toEqual(expected.sort());
    }
    expect(Object.keys(channels).sort()).toEqual(SOCKET_CHANNELS.map((channel) => channel.id).sort());
  });

  it('documents every close code of the protocol on every socket', () => {
    for (const channel of Object.values(asyncapi.channels as Record<string, Json>)) {
      const codes = (channel['x-close-codes'] as Array<{ code: number }>).map((entry) => entry.code);
      expect(codes.sort()).toEqual(Object.values(protocol.CloseCode).sort());
    }
  });

  it('serves every documented socket: each answers a ping', async () => {
    const recruiter = newUser(t);
    const room = await createRoom(recruiter, recruiter, [newUser(t)]);
    // A real value for each kind of address parameter; a socket with a new kind needs one here.
    const values: Record<string, string> = { room: room.uuid };
    for (const channel of Object.values(asyncapi.channels as Record<string, { address: string }>)) {
      const path = channel.address.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = values[name];
        if (!value) throw new Error(`no test value for the socket parameter {${name}}`);
        return value;
      });
      const url = new URL(path, t.url.replace(/^http/, 'ws'));
      url.searchParams.set('token', recruiter.token);
      expect(await pingPong(url), channel.address).toEqual({ type: 'pong' });
    }
  });
});

describe('the /docs page', () => {
  const t = useTestServer();

  it('loads its renderers from this server only', async () => {
    const page = await fetch(`${t.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('/docs/assets/docs.js');
    const script = await fetch(`${t.url}/docs/assets/docs.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const assets = [...(await script.text()).matchAll(/assets \+ '([^']+)'/g)].map((match) => match[1]);
    expect(assets.sort()).toEqual(['asyncapi.css', 'asyncapi.js', 'swagger-ui.css', 'swagger-ui.js']);
    for (const asset of assets) {
      const answer = await fetch(`${t.url}/docs/assets/${asset}`);
      expect(answer.status, asset).toBe(200);
      expect(answer.headers.get('content-type'), asset).toMatch(
        asset?.endsWith('.js') ? /javascript/ : /^text\/css/,
      );
      expect((await answer.arrayBuffer()).byteLength, asset).toBeGreaterThan(10_000);
    }
  });

  it('answers a file it does not have with the contract 404', async () => {
    const answer = await api(t).get('/docs/assets/package.json');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ detail: expect.any(String), code: 'not_found' });
  });

  it('answers /docs/ as /docs', async () => {
    const [bare, slashed] = await Promise.all([fetch(`${t.url}/docs`), fetch(`${t.url}/docs/`)]);
    expect(await slashed.text()).toBe(await bare.text());
  });
});

describe('docs: false', () => {
  it('serves none of the documents, and mounts no route for them', async () => {
    const server = await startTestServer({ docs: false });
    try {
      for (const path of ['/openapi.json', '/asyncapi.json', '/docs', '/docs/assets/docs.js']) {
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
      }
      const paths = server.server.table().map((route) => route.path);
      expect(paths.filter((path) => path.startsWith('/docs') || path.endsWith('.json'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

/** Opens the socket, sends a ping, and answers the first frame back (or fails on a close first). */
async function pingPong(url: URL): Promise<unknown> {
  const socket = new WebSocket(url);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${url.pathname}: no answer to a ping`)), 3_000);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'ping' })));
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as { type?: unknown };
        // A room socket is sent who is online when it opens; the answer to the ping follows.
        if (event.type === 'presence') return;
        clearTimeout(timer);
        resolve(event);
      });
      socket.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`${url.pathname}: closed with ${code}`));
      });
      socket.once('unexpected-response', (_request, response) => {
        clearTimeout(timer);
        reject(new Error(`${url.pathname}: refused with HTTP ${response.statusCode}`));
      });
    });
  } finally {
    socket.terminate();
  }
}
