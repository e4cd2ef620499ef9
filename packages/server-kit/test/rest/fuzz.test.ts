import { DetailErrorBodySchema, FieldErrorBodySchema, RestPaths } from '@hirechat/protocol';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOAD_LIMITS } from '../catalog/load-limits.js';
import { queryString, REST_ROUTES, type RestRoute } from '../catalog/rest-routes.js';
import {
  type BodyType,
  encodeBody,
  type FieldValue,
  freshTargets,
  makeWorld,
  type Targets,
  type World,
} from '../catalog/world.js';
import { type Answer, api, useTestServer } from './http.js';

/*
 * Property-based fuzzing of every REST route of the catalog (issue 9): whatever a signed-in client
 * sends (query strings, bodies of every type, raw garbage, odd path segments), the server never
 * answers 500, always answers an error in one of the contract's two JSON shapes, and refuses an
 * unknown key of any name with a 400 that names it. Bounded to run in seconds.
 */

/** Requests per route: with ten routes, three thousand requests in all, in seconds. */
const RUNS_PER_ROUTE = 300;
const SEED = Number(process.env.HIRECHAT_FUZZ_SEED ?? Date.now() % 2 ** 31);

/** Names that a careless lookup finds on every object, and some that look like real fields. */
const TRICKY_KEYS = [
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__',
  'isPrototypeOf',
  '__defineGetter__',
  'prototype',
  'chatroom',
  'Content',
  '',
];

/** Text as clients send it: anything, including what looks like a number, a UUID or JSON. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uuid(),
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '0',
    '-1',
    '1e309',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    '%',
    '\u0000',
    '💥',
  ),
);

/** A key the route does not know: a tricky one, or any other text that fits in a form field name. */
const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(fc.constantFrom(...TRICKY_KEYS), fc.string({ unit: 'grapheme', maxLength: 12 }))
    // Multipart field names cannot carry quotes or line breaks as they are: browsers escape them.
    .filter((key) => !known.includes(key) && !/["\r\n]/.test(key));

type Pairs = Array<[string, FieldValue]>;

/** Pairs derived from valid ones: each kept, dropped, or given another value; plus extra keys. */
function mutated(base: Pairs, known: readonly string[], value: fc.Arbitrary<FieldValue>) {
  return fc
    .tuple(
      fc.tuple(
        ...base.map(() =>
          fc.oneof(
            fc.constant('keep'),
            fc.constant('drop'),
            value.map((v) => ({ v })),
          ),
        ),
      ),
      fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...(known.length ? known : ['x'])), unknownKey(known)), value),
        {
          maxLength: 3,
        },
      ),
    )
    .map(([edits, extra]) => {
      const pairs: Pairs = [];
      base.forEach(([key, original], index) => {
        const edit = edits[index];
        if (edit === 'drop') return;
        pairs.push([key, edit === 'keep' ? original : (edit as { v: FieldValue }).v]);
      });
      return [...pairs, ...extra] as Pairs;
    });
}

interface FuzzCase {
  /** What part of the request is fuzzed; the rest is valid. */
  mode: 'query' | 'body' | 'raw body' | 'path';
  query: Pairs;
  body?: { type: BodyType; pairs: Pairs } | { type: BodyType; raw: string };
  /** Replacements of the targets in the path (made URL-safe). */
  pathTargets?: Partial<Targets>;
}

function casesFor(route: RestRoute, targets: Targets): fc.Arbitrary<FuzzCase> {
  const queries = route.queries?.(targets) ?? [{}];
  const baseQuery = (index: number): Pairs => Object.entries(queries[index % queries.length]!);
  const queryKeys = route.queryKeys ?? [];
  const bodyKeys = route.bodyKeys ?? [];
  const bodyTypes = route.bodyTypes ?? ['json'];
  const validBody = route.body ? { type: bodyTypes[0]!, pairs: route.body(targets) as Pairs } : undefined;
  const arbitraries: fc.Arbitrary<FuzzCase>[] = [
    fc.nat().chain((index) =>
      mutated(baseQuery(index), queryKeys, text).map((query) => ({
        mode: 'query' as const,
        query,
        ...(validBody ? { body: validBody } : {}),
      })),
    ),
    fc
      .record({
        message: fc.oneof(fc.uuid(), text),
        file: fc.oneof(fc.constant(targets.file), text),
      })
      .map((ids) => ({
        mode: 'path' as const,
        query: baseQuery(0),
        pathTargets: { message: encodeURIComponent(ids.message), file: encodeURIComponent(ids.file) },
        ...(validBody ? { body: validBody } : {}),
      })),
  ];
  if (route.body) {
    const formValue = fc.oneof(text, fc.array(text, { maxLength: 3 }));
    arbitraries.push(
      fc
        .constantFrom(...bodyTypes)
        .chain((type) =>
          mutated(
            route.body!(targets) as Pairs,
            bodyKeys,
            type === 'json' ? fc.jsonValue({ maxDepth: 2 }) : formValue,
          ).map((pairs) => ({ mode: 'body' as const, query: baseQuery(0), body: { type, pairs } })),
        ),
      fc
        .record({ type: fc.constantFrom(...bodyTypes), raw: fc.string({ unit: 'grapheme', maxLength: 200 }) })
        .map((body) => ({ mode: 'raw body' as const, query: baseQuery(0), body })),
    );
  }
  return fc.oneof(...arbitraries);
}

const CONTENT_TYPES: Record<BodyType, string> = {
  json: 'application/json',
  urlencoded: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data; boundary=fuzz',
};

async function send(world: World, route: RestRoute, targets: Targets, c: FuzzCase): Promise<Answer> {
  const params = new URLSearchParams();
  for (const [key, value] of c.query) params.append(key, String(value));
  const search = params.toString();
  const path = `${route.path({ ...targets, ...c.pathTargets })}${search ? `?${search}` : ''}`;
  const client = api(world.t, world.recruiter.token);
  if (!c.body) return client.send(route.method, path);
  if ('raw' in c.body) {
    return client.send(route.method, path, {
      body: c.body.raw,
      headers: { 'content-type': CONTENT_TYPES[c.body.type] },
    });
  }
  const { body, contentType } = encodeBody(c.body.type, c.body.pairs);
  if (typeof body !== 'string') return client.send(route.method, path, { form: body });
  return client.send(route.method, path, { body, headers: { 'content-type': contentType! } });
}

const ExactDetail = z.strictObject(DetailErrorBodySchema.shape);
const ErrorShape = z.union([ExactDetail, FieldErrorBodySchema]);

const isEmptyList = (value: unknown) => Array.isArray(value) && value.length === 0;

/** The keys of `pairs` that `known` does not list. */
const unknownKeys = (pairs: Pairs, known: readonly string[]) =>
  [...new Set(pairs.map(([key]) => key))].filter((key) => !known.includes(key));

describe('fuzzing every REST route', () => {
  const t = useTestServer({ limits: LOAD_LIMITS });
  let world: World;
  let targets: Targets;

  beforeAll(async () => {
    world = await makeWorld(t);
    targets = await freshTargets(world);
  });

  it.each(REST_ROUTES.map((route) => [route.name, route] as const))('%s', async (_, route) => {
    await fc.assert(
      fc.asyncProperty(casesFor(route, targets), async (c) => {
        const answer = await send(world, route, targets, c);
        const what = `${c.mode} ${JSON.stringify(c)} answered ${answer.status} ${JSON.stringify(answer.body)}`;
        expect(answer.status, what).toBeLessThan(500);
        if (answer.status >= 400) {
          expect(answer.headers.get('content-type'), what).toMatch(/^application\/json/);
          expect(ErrorShape.safeParse(answer.body).success, what).toBe(true);
        }
        const unknownInQuery = unknownKeys(c.query, route.queryKeys ?? []);
        if (unknownInQuery.length > 0) {
          expect(answer.status, what).toBe(400);
          for (const key of unknownInQuery)
            expect(Object.hasOwn(answer.body as object, key), what).toBe(true);
        }
        if (c.mode === 'body' && c.body && 'pairs' in c.body) {
          // A form sends a list as repeated fields: an empty one sends no field at all.
          const sent =
            c.body.type === 'json' ? c.body.pairs : c.body.pairs.filter(([, v]) => !isEmptyList(v));
          const unknownInBody = unknownKeys(sent, route.bodyKeys ?? []);
          if (unknownInBody.length > 0) {
            expect(answer.status, what).toBe(400);
            for (const key of unknownInBody) {
              expect(Object.getOwnPropertyDescriptor(answer.body, key)?.value, what).toEqual(
                expect.arrayContaining(['Unknown field.']),
              );
            }
          }
        }
      }),
      { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
    );
    // Still serving whatever came before.
    expect((await api(t).get(RestPaths.health)).status).toBe(200);
    // Targets may have been edited or deleted by the fuzzing of this route: the next gets new ones.
    targets = await freshTargets(world);
  });

  it('uses one seed per run, given by HIRECHAT_FUZZ_SEED to replay a failure', () => {
    expect(Number.isInteger(SEED)).toBe(true);
    expect(queryString({})).toBe('');
  });
});
