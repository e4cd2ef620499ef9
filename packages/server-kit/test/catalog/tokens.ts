import { createHmac, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';

/*
 * Tokens that must be refused (contract, "Identity" and "Identity, continued"), each for a user the
 * server otherwise knows, so that the token is the only thing wrong.
 */

export const BAD_TOKENS = ['none', 'expired', 'refresh', 'no exp', 'alg none', 'wrong key'] as const;
export type BadToken = (typeof BAD_TOKENS)[number];

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The token of the kind for user `sub`, signed (where it is) with `secret`; null for no token. */
export function badToken(kind: BadToken, secret: string, sub: string): string | null {
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'none':
      return null;
    case 'expired':
      return jwt.sign({ sub, exp: now - 60 }, secret);
    case 'refresh':
      // Django SimpleJWT's refresh token: the same key, a day long, `token_type: refresh`.
      return jwt.sign({ token_type: 'refresh', jti: 'j', user_id: sub }, secret, { expiresIn: 86_400 });
    case 'no exp':
      return jwt.sign({ sub }, secret);
    case 'alg none':
      return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub, exp: now + 600 })}.`;
    case 'wrong key': {
      const header = base64url({ alg: 'HS256', typ: 'JWT' });
      const payload = base64url({ sub, exp: now + 600 });
      const signature = createHmac('sha256', randomBytes(32))
        .update(`${header}.${payload}`)
        .digest('base64url');
      return `${header}.${payload}.${signature}`;
    }
  }
}
