import type { TestServer } from '@hirechat/server-kit/testing';
import { expect } from 'vitest';
import {
  type Answer,
  api,
  expectMessage,
  expectMessages,
  expectRoom,
  expectRoomDetail,
  expectRooms,
  type RawAnswer,
  rawOf,
} from '../rest/http.js';
import { type Expected, queryString, type RestRoute } from './rest-routes.js';
import { type BodyType, encodeBody, type Targets } from './world.js';

/** How a catalog route is asked: which of its queries, and which body type. */
export interface RequestChoice {
  query?: Record<string, string>;
  bodyType?: BodyType;
}

/** Sends the route's request, naming `targets`, with `token` (or none). */
export function sendRoute(
  t: Pick<TestServer, 'url'>,
  token: string | null,
  route: RestRoute,
  targets: Targets,
  choice: RequestChoice = {},
): Promise<Answer> {
  const query = choice.query ?? route.queries?.(targets)[0] ?? {};
  const path = `${route.path(targets)}${queryString(query)}`;
  if (!route.body) return api(t, token).send(route.method, path);
  const { body, contentType } = encodeBody(choice.bodyType ?? 'json', route.body(targets));
  if (typeof body !== 'string') return api(t, token).send(route.method, path, { form: body });
  return api(t, token).send(route.method, path, {
    body,
    headers: contentType ? { 'content-type': contentType } : {},
  });
}

/** Checks an answer against what the catalog expects: status, and the body's exact shape. */
export function expectAnswer(answer: Answer, expected: Expected, what: string): void {
  const body = JSON.stringify(answer.body);
  expect(answer.status, `${what}: ${body}`).toBe(expected.status);
  switch (expected.shape) {
    case 'room':
      expectRoom(answer, expected.status);
      return;
    case 'roomDetail':
      expectRoomDetail(answer, expected.status);
      return;
    case 'rooms':
      expectRooms(answer, expected.status);
      return;
    case 'message':
      expectMessage(answer, expected.status);
      return;
    case 'messages':
      expectMessages(answer, expected.status);
      return;
    case 'empty':
      expect(answer.body, what).toBeNull();
      return;
    case 'file':
      expect(answer.headers.get('content-type'), what).not.toMatch(/json/);
      expect(answer.headers.get('x-content-type-options'), what).toBe('nosniff');
      return;
    case 'health':
      expect(answer.body, what).toEqual({ status: 'ok', database: 'ok', broadcast: 'ok' });
      return;
    case 'detail':
      expect(answer.headers.get('content-type'), what).toMatch(/^application\/json/);
      expect(answer.body, what).toEqual({ detail: expect.any(String), code: expected.code });
      return;
  }
}

/** Sends the route's request and keeps its answer byte for byte, for comparing two answers. */
export async function rawRoute(
  t: Pick<TestServer, 'url'>,
  token: string,
  route: RestRoute,
  targets: Targets,
  choice: RequestChoice = {},
): Promise<RawAnswer> {
  const query = choice.query ?? route.queries?.(targets)[0] ?? {};
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: string | FormData | undefined;
  if (route.body) {
    const encoded = encodeBody(choice.bodyType ?? 'json', route.body(targets));
    body = encoded.body;
    if (encoded.contentType) headers['content-type'] = encoded.contentType;
  }
  const response = await fetch(new URL(`${route.path(targets)}${queryString(query)}`, t.url), {
    method: route.method,
    headers,
    body,
  });
  return rawOf(response);
}
