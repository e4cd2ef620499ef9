import { CloseCode, type ServerEvent } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { LOAD_LIMITS } from '../catalog/load-limits.js';
import { expectAnswer, rawRoute, sendRoute } from '../catalog/requests.js';
import { CALLERS, type Expected, REST_ROUTES } from '../catalog/rest-routes.js';
import { SOCKET_ACTIONS, type SocketAction, type SocketExpected } from '../catalog/socket-actions.js';
import { BAD_TOKENS, badToken } from '../catalog/tokens.js';
import { freshTargets, makeWorld, missingTargets, type Targets, type World } from '../catalog/world.js';
import { useTestServer } from '../rest/http.js';
import { TestSocket } from '../ws/socket.js';

/*
 * Who may do what, generated from the route and socket catalogs: every REST route and socket
 * action, asked by each kind of caller and with each kind of bad token (contract, "Identity",
 * "Errors, continued"; issue 9, fault 6), checking the status, the body's exact shape, and that an
 * outsider's answer is byte for byte the answer about something that does not exist.
 */
describe('authorization matrix', () => {
  const t = useTestServer({ limits: LOAD_LIMITS });
  let world: World;
  /** Targets for the refused requests, which change nothing. */
  let shared: Targets;

  beforeAll(async () => {
    world = await makeWorld(t);
    shared = await freshTargets(world);
  });

  const refusedToken: Expected = { status: 401, shape: 'detail', code: 'not_authenticated' };

  describe.each(REST_ROUTES.map((route) => [route.name, route] as const))('%s', (_, route) => {
    it.each(CALLERS)('as the %s', async (caller) => {
      const targets = await freshTargets(world);
      const user = world[caller];
      const answer = await sendRoute(t, user.token, route, targets);
      expectAnswer(answer, route.answers[caller], `${route.name} as the ${caller}`);
      if (caller !== 'outsider') return;
      // What the outsider learns of something real is exactly what they learn of nothing at all.
      const [real, made] = await Promise.all([
        rawRoute(t, user.token, route, await freshTargets(world)),
        rawRoute(t, user.token, route, missingTargets()),
      ]);
      expect(real).toEqual(made);
    });

    it.each(BAD_TOKENS)('with a bad token: %s', async (kind) => {
      const token = badToken(kind, t.secret, world.recruiter.id);
      const answer = await sendRoute(t, token, route, shared);
      if (route.public) {
        expectAnswer(answer, route.answers.recruiter, `${route.name} with ${kind}`);
        return;
      }
      expectAnswer(answer, refusedToken, `${route.name} with ${kind}`);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    });
  });

  describe.each(SOCKET_ACTIONS.map((action) => [action.name, action] as const))('%s', (_, action) => {
    it.each(CALLERS)('as the %s', async (caller) => {
      const targets = await freshTargets(world);
      const user = world[caller];
      await expectSocket(action, targets, user.token, user.id, action.answers[caller]);
    });

    it.each(BAD_TOKENS)('with a bad token: %s', async (kind) => {
      const token = badToken(kind, t.secret, world.recruiter.id);
      await expectSocket(action, shared, token, world.recruiter.id, { close: CloseCode.Unauthorized });
    });
  });

  async function expectSocket(
    action: SocketAction,
    targets: Targets,
    token: string | null,
    me: string,
    expected: SocketExpected,
  ): Promise<void> {
    // Typed as a room socket's: what the catalog expects of the inbox (error, pong) is shared.
    const socket = new TestSocket<ServerEvent>({
      wsUrl: t.wsUrl,
      room: targets.room,
      path: action.path(targets),
      token,
      ...(action.schema ? { schema: action.schema as z.ZodType<ServerEvent> } : {}),
    });
    try {
      // Refusals too complete the handshake, so that a browser can read the close code.
      expect(await socket.handshake).toEqual({ kind: 'open' });
      if ('close' in expected) {
        expect((await socket.closed()).code).toBe(expected.close);
        expect(socket.received).toEqual([]);
        return;
      }
      if (action.frame) socket.send(action.frame(targets));
      if ('nothing' in expected) {
        socket.send({ type: 'ping' });
        expect(await socket.nextAny()).toEqual({ type: 'pong' });
        return;
      }
      const event = await socket.next(expected.event, (e) => expected.matches?.(e, targets, me) ?? true);
      expect(event.type).toBe(expected.event);
    } finally {
      await socket.terminate();
      expect(socket.invalid).toEqual([]);
    }
  }
});
