import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RestPaths } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOAD_LIMITS } from '../catalog/load-limits.js';
import { REST_ROUTES } from '../catalog/rest-routes.js';
import { freshTargets, makeWorld, type Targets, type World } from '../catalog/world.js';
import { expectMessages, useTestServer } from './http.js';
import { chunked, portOf, rawExchange, requestHead } from './raw-http.js';

const LIMIT = 64 * 1024;
/** The limit of the routes without uploads: Hapi's default, kept. */
const FORM_LIMIT = 1024 * 1024;
const BOUNDARY = 'hirechat-boundary';

/** A body of the type, `size` bytes long or a little more, whose one field carries the bulk. */
function bodyOf(type: 'json' | 'urlencoded' | 'multipart', size: number, room: string): Buffer {
  const bulk = 'x'.repeat(size);
  if (type === 'json') return Buffer.from(JSON.stringify({ chat_room: room, content: bulk }));
  if (type === 'urlencoded') return Buffer.from(`chat_room=${room}&content=${bulk}`);
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="chat_room"\r\n\r\n${room}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${bulk}\r\n--${BOUNDARY}--\r\n`,
  );
}

const CONTENT_TYPES = {
  json: 'application/json',
  urlencoded: 'application/x-www-form-urlencoded',
  multipart: `multipart/form-data; boundary=${BOUNDARY}`,
} as const;

/**
 * Issue 9, fault 8: a body over the limit sent with `Transfer-Encoding: chunked` (no length known
 * in advance) answered 400; it is a 413, as with Content-Length, on every route that takes a body,
 * and nothing of it is kept.
 */
describe('bodies over the limit, chunked', () => {
  const t = useTestServer({ maxUploadBytes: LIMIT, limits: LOAD_LIMITS });
  let world: World;
  let targets: Targets;

  beforeAll(async () => {
    world = await makeWorld(t);
    targets = await freshTargets(world);
  });

  async function storedFiles(): Promise<string[]> {
    return readdir(join(t.dataDir, 'media', 'chat_files')).catch(() => []);
  }

  const cases = REST_ROUTES.flatMap((route) =>
    (route.bodyTypes ?? []).map((type) => [route.name, type, route] as const),
  );

  it.each(cases)('%s, %s: 413 in JSON, and nothing kept', async (_, type, route) => {
    const limit = route.path(targets) === RestPaths.createMessage ? LIMIT : FORM_LIMIT;
    const files = await storedFiles();
    const exchange = await rawExchange(portOf(t.url), {
      head: Buffer.concat([
        Buffer.from(
          requestHead(route.method, route.path(targets), {
            Authorization: `Bearer ${world.recruiter.token}`,
            'Content-Type': CONTENT_TYPES[type],
            'Transfer-Encoding': 'chunked',
          }),
        ),
        chunked(bodyOf(type, limit + 1024, targets.room)),
      ]),
    });

    expect(exchange.status, exchange.text.slice(0, 300)).toBe(413);
    expect(exchange.json).toEqual({ detail: expect.any(String), code: 'payload_too_large' });
    expect(await storedFiles()).toEqual(files);
  });

  it('a chunked upload within the limit is stored as usual', async () => {
    const exchange = await rawExchange(portOf(t.url), {
      head: Buffer.concat([
        Buffer.from(
          requestHead('POST', RestPaths.createMessage, {
            Authorization: `Bearer ${world.recruiter.token}`,
            'Content-Type': CONTENT_TYPES.multipart,
            'Transfer-Encoding': 'chunked',
            Connection: 'close',
          }),
        ),
        chunked(bodyOf('multipart', LIMIT / 2, targets.room), 1000),
      ]),
    });
    expect(exchange.status, exchange.text.slice(0, 300)).toBe(201);
    const list = await world.recruiter.api.get(`${RestPaths.listMessages}?chat_room=${targets.room}&limit=1`);
    expect(expectMessages(list)[0]!.file).toMatch(/^\/media\/chat_files\/big_[A-Za-z0-9]{7}\.bin$/);
  });
});
