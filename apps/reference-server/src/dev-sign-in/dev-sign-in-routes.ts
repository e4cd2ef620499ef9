import type { Request, Server } from '@hapi/hapi';
import { DevSignInPaths, type DevToken, DevTokenRequestSchema, parseFields } from '@hirechat/protocol';
import { ChatError, signAccessToken } from '@hirechat/server-kit';
import type { Logger } from 'pino';
import { DEMO_USERS } from './demo-users.js';

/** Lifetime of a development token: the demo app asks for a new one before it runs out. */
export const DEV_TOKEN_SECONDS = 3600;

/**
 * Mounts the development sign-in (`GET /dev/users`, `POST /dev/token`): a token for any of the
 * fixed demo users, to whoever asks. Call it only with the development secret: with JWT_SECRET or
 * JWT_PUBLIC_KEY configured these paths must not exist, and the server does not call this.
 */
export function mountDevSignIn(server: Server, devSecret: string, logger: Logger): void {
  server.route([
    {
      method: 'GET',
      path: DevSignInPaths.users,
      options: { auth: false },
      handler: () => DEMO_USERS,
    },
    {
      method: 'POST',
      path: DevSignInPaths.token,
      options: { auth: false, payload: { allow: 'application/json' } },
      handler: (request: Request): DevToken => {
        const parsed = parseFields(DevTokenRequestSchema, request.payload ?? {});
        if (!parsed.success) throw ChatError.invalid(parsed.errors);
        const user = DEMO_USERS.find((candidate) => candidate.id === parsed.data.user);
        if (!user) throw ChatError.invalidField('user', `Not a demo user; see ${DevSignInPaths.users}.`);
        const token = signAccessToken(
          devSecret,
          { sub: user.id, email: user.email, name: user.name, role: user.role },
          { expiresIn: DEV_TOKEN_SECONDS },
        );
        return { token, expires_in: DEV_TOKEN_SECONDS, user };
      },
    },
  ]);
  logger.warn(
    { paths: Object.values(DevSignInPaths) },
    'development sign-in is on: anyone who can reach this server may sign in as a demo user',
  );
}
