import { beforeAll, describe, expect, it } from 'vitest';
import { LOAD_LIMITS } from '../catalog/load-limits.js';
import { rawRoute } from '../catalog/requests.js';
import { REST_ROUTES, type RestRoute } from '../catalog/rest-routes.js';
import {
  type BodyType,
  freshTargets,
  makeWorld,
  missingTargets,
  type Targets,
  type World,
} from '../catalog/world.js';
import { useTestServer } from '../rest/http.js';

/*
 * Contract, "Errors, continued": an outsider gets byte-identical answers (status, headers but the
 * date, body) for "exists but is not yours" and "does not exist", on every path and every cursor
 * and filter (issue 9, fault 3). Generated from the route catalog: each route, with each of its
 * queries and each body type it takes, asked by the outsider about the world's room and about
 * things that never existed.
 */

interface Case {
  title: string;
  route: RestRoute;
  query: number;
  bodyType?: BodyType;
}

/** Whether the request names anything: asked about two different made-up worlds, it differs. */
function namesSomething(route: RestRoute, query: number): boolean {
  const describe = (targets: Targets) =>
    JSON.stringify([route.path(targets), route.queries?.(targets)[query], route.body?.(targets)]);
  const [one, other] = [missingTargets(), missingTargets()];
  return describe(one) !== describe(other);
}

const CASES: Case[] = REST_ROUTES.flatMap((route) => {
  const queries = route.queries?.(missingTargets()) ?? [{}];
  const bodyTypes: Array<BodyType | undefined> = route.bodyTypes ? [...route.bodyTypes] : [undefined];
  return queries.flatMap((query, index) => {
    if (!namesSomething(route, index)) return [];
    return bodyTypes.map((bodyType) => ({
      title: [route.name, Object.keys(query).join('&'), bodyType].filter(Boolean).join(' '),
      route,
      query: index,
      ...(bodyType ? { bodyType } : {}),
    }));
  });
});

describe('what an outsider learns', () => {
  const t = useTestServer({ limits: LOAD_LIMITS });
  let world: World;
  let real: Targets;

  beforeAll(async () => {
    world = await makeWorld(t);
    real = await freshTargets(world);
  });

  it.each(CASES.map((c) => [c.title, c] as const))('%s: the same as of nothing', async (_, c) => {
    const ask = (targets: Targets) =>
      rawRoute(t, world.outsider.token, c.route, targets, {
        query: c.route.queries?.(targets)[c.query] ?? {},
        ...(c.bodyType ? { bodyType: c.bodyType } : {}),
      });
    const [aboutReal, aboutNothing] = await Promise.all([ask(real), ask(missingTargets())]);
    expect(aboutReal).toEqual(aboutNothing);
    // Not vacuous: the same question from a participant is answered otherwise.
    const participant = await rawRoute(t, world.client.token, c.route, real, {
      query: c.route.queries?.(real)[c.query] ?? {},
      ...(c.bodyType ? { bodyType: c.bodyType } : {}),
    });
    expect(participant).not.toEqual(aboutReal);
  });
});
