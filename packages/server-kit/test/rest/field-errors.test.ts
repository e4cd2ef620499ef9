import { RestPaths } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOAD_LIMITS } from '../catalog/load-limits.js';
import { sendRoute } from '../catalog/requests.js';
import { queryString, REST_ROUTES } from '../catalog/rest-routes.js';
import { freshTargets, makeWorld, type Targets, type World } from '../catalog/world.js';
import { expectFieldErrors, useTestServer } from './http.js';

/** Property names that every object has: user-supplied keys must never be looked up among them. */
const PROTOTYPE_KEYS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf'];

/**
 * Issue 9, fault 1: a field named after an Object.prototype property answered 500. Every route,
 * every body type and every query string refuses it by name, as any unknown field.
 */
describe('fields named after prototype properties', () => {
  // Every route, key and body type as one user: far past a person's rate.
  const t = useTestServer({ limits: LOAD_LIMITS });
  let world: World;
  let targets: Targets;

  beforeAll(async () => {
    world = await makeWorld(t);
    targets = await freshTargets(world);
  });

  const queryCases = REST_ROUTES.flatMap((route) =>
    PROTOTYPE_KEYS.map((key) => [route.name, key, route] as const),
  );
  it.each(queryCases)('%s?%s=1 is a 400 naming the parameter', async (_, key, route) => {
    const query = { ...(route.queries?.(targets)[0] ?? {}) };
    // Appended by hand: a `__proto__` key in an object literal would not be a key at all.
    const search = `${queryString(query)}${queryString(query) ? '&' : '?'}${key}=1`;
    const answer = await sendRoute(
      t,
      world.recruiter.token,
      { ...route, path: (x) => `${route.path(x)}${search}`, queries: () => [{}] },
      targets,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body).toEqual(JSON.parse(`{"${key}":["Unknown field."]}`));
  });

  const bodyCases = REST_ROUTES.flatMap((route) =>
    (route.bodyTypes ?? []).flatMap((type) =>
      PROTOTYPE_KEYS.map((key) => [route.name, type, key, route] as const),
    ),
  );
  it.each(bodyCases)('%s, %s body with %s: a 400 naming the field', async (_, bodyType, key, route) => {
    const withKey = {
      ...route,
      body: (x: Targets) => [...(route.body?.(x) ?? []), [key, '1'] as [string, string]],
    };
    const answer = await sendRoute(t, world.recruiter.token, withKey, targets, { bodyType });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body).toEqual(JSON.parse(`{"${key}":["Unknown field."]}`));
  });

  it('a multipart part named hasOwnProperty before another field is named too, not a crash', async () => {
    const form = new FormData();
    form.append('hasOwnProperty', 'x');
    form.append('chat_room', targets.room);
    form.append('content', 'hello');
    const answer = await world.recruiter.api.postForm(RestPaths.createMessage, form);
    expect(answer.body).toEqual({ hasOwnProperty: ['Unknown field.'] });
  });

  it('a multipart part with an empty name is named as such (found by fuzzing)', async () => {
    const form = new FormData();
    form.append('chat_room', targets.room);
    form.append('content', 'hello');
    form.append('', 'x');
    const answer = await world.recruiter.api.postForm(RestPaths.createMessage, form);
    expect(answer.body).toEqual({ '': ['Unknown field.'] });
  });

  it('a multipart part with a long name is named in full', async () => {
    const name = `x${'y'.repeat(300)}`;
    const form = new FormData();
    form.append('chat_room', targets.room);
    form.append('content', 'hello');
    form.append(name, 'x');
    const answer = await world.recruiter.api.postForm(RestPaths.createMessage, form);
    expect(answer.body).toEqual({ [name]: ['Unknown field.'] });
  });

  it('a multipart file part named __proto__ is named, and nothing is stored', async () => {
    const form = new FormData();
    form.append('chat_room', targets.room);
    form.append('__proto__', new Blob(['x']), 'x.txt');
    const answer = await world.recruiter.api.postForm(RestPaths.createMessage, form);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(JSON.parse('{"__proto__":["Expected text, not a file."]}'));
  });
});

/**
 * Issue 9, fault 2: a field of the wrong type was reported as missing. Each field of each JSON
 * body, given a value of another type, is named with a message that says so.
 */
describe('fields of the wrong type', () => {
  // Every route, key and body type as one user: far past a person's rate.
  const t = useTestServer({ limits: LOAD_LIMITS });
  let world: World;
  let targets: Targets;

  beforeAll(async () => {
    world = await makeWorld(t);
    targets = await freshTargets(world);
  });

  const wrong: Array<[string, unknown, string]> = [
    [123, 'a number'],
    [true, 'a boolean'],
    [null, 'null'],
    [['x'], 'a list'],
    [{ a: 1 }, 'an object'],
  ].map(([value, kind]) => [JSON.stringify(value), value, kind as string]);

  const cases = REST_ROUTES.flatMap((route) =>
    (route.bodyKeys ?? [])
      .filter((key) => key !== 'file' && route.body)
      .flatMap((key) =>
        wrong.map(([label, value, kind]) => [route.name, key, label, route, value, kind] as const),
      ),
  );
  it.each(cases)('%s: %s = %s is named as the wrong type', async (_, key, __, route, value, kind) => {
    const body = (x: Targets) => [
      ...(route.body?.(x) ?? []).filter(([name]) => name !== key),
      [key, value] as [string, unknown],
    ];
    const answer = await sendRoute(t, world.recruiter.token, { ...route, body }, targets);
    // `clients` takes a list: its own wrong type is anything else; inside, the item is named.
    if (key === 'clients' && Array.isArray(value)) {
      expect(expectFieldErrors(answer, ['clients.0'])['clients.0']).toEqual(['Must be a valid UUID.']);
      return;
    }
    // `job` and `content` take null as "not given": null is no wrong type there.
    if (value === null && (key === 'job' || (key === 'content' && route.method === 'POST'))) {
      expect(answer.status, JSON.stringify(answer.body)).not.toBe(500);
      return;
    }
    const errors = expectFieldErrors(answer, [key]);
    expect(errors[key], JSON.stringify(errors)).toEqual([
      expect.stringMatching(new RegExp(`, not ${kind}\\.$`)),
    ]);
    expect(errors[key]).not.toContain('This field is required.');
  });

  it('a missing field is still "required"', async () => {
    const answer = await world.recruiter.api.post(RestPaths.createMessage, { content: 'x' });
    expect(expectFieldErrors(answer, ['chat_room']).chat_room).toEqual(['This field is required.']);
  });
});
