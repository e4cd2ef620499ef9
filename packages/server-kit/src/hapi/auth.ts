import Boom from '@hapi/boom';
import type { Server } from '@hapi/hapi';
import type { Caller } from '../domain/caller.js';
import { ChatError } from '../domain/chat-error.js';
import type { ChatService } from '../domain/chat-service.js';

export const AUTH_STRATEGY = 'hirechat';

declare module '@hapi/hapi' {
  interface UserCredentials extends Caller {}
}

/** Registers `Authorization: Bearer <token>` authentication as the `hirechat` strategy. */
export function registerAuth(server: Server, chat: ChatService): void {
  server.auth.scheme('hirechat-bearer', () => ({
    async authenticate(request, h) {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match?.[1]) {
        throw Boom.boomify(
          ChatError.of('not_authenticated', 'Authentication credentials were not provided.'),
          {
            statusCode: 401,
          },
        );
      }
      try {
        const { caller, expiresAt } = await chat.authenticate(match[1]);
        return h.authenticated({ credentials: { user: caller }, artifacts: { expiresAt } });
      } catch (error) {
        if (error instanceof ChatError) throw Boom.boomify(error, { statusCode: 401 });
        throw error;
      }
    },
  }));
  server.auth.strategy(AUTH_STRATEGY, 'hirechat-bearer');
}

/** The verified caller of an authenticated request. */
export function callerOf(request: { auth: { credentials: { user?: Caller } } }): Caller {
  const caller = request.auth.credentials.user;
  if (!caller) throw ChatError.of('not_authenticated', 'Authentication credentials were not provided.');
  return caller;
}
