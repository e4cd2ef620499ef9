import {
  DevSignInPaths,
  type DevToken,
  DevTokenSchema,
  type DevUser,
  DevUserListSchema,
} from '@hirechat/protocol';

/*
 * The reference server's development sign-in (see DevSignInPaths): it exists only while the server
 * signs tokens with its development secret. A real app gets its tokens from its own platform; this
 * is the one part of the demo that does not go through the client SDK, since signing in is not
 * the chat's business.
 */

/** The demo users, or null when the server has no development sign-in (a real key is configured). */
export async function fetchDemoUsers(): Promise<DevUser[] | null> {
  const response = await fetch(DevSignInPaths.users);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${DevSignInPaths.users} answered ${response.status}`);
  return DevUserListSchema.parse(await response.json());
}

async function requestToken(userId: string): Promise<DevToken> {
  const response = await fetch(DevSignInPaths.token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: userId }),
  });
  if (!response.ok) throw new Error(`${DevSignInPaths.token} answered ${response.status}`);
  return DevTokenSchema.parse(await response.json());
}

/** Asks for a new token this long before the current one expires. */
const RENEW_BEFORE_MS = 60_000;

/**
 * A token function for `ChatClient` (which asks it before every request and connection attempt):
 * answers the current token, and a new one when it is about to expire. Calls that come while a
 * token is being fetched share it.
 */
export function devTokenSource(userId: string): () => Promise<string> {
  let current: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;
  return () => {
    if (current && Date.now() < current.renewAt) return Promise.resolve(current.token);
    pending ??= requestToken(userId)
      .then((answer) => {
        current = { token: answer.token, renewAt: Date.now() + answer.expires_in * 1000 - RENEW_BEFORE_MS };
        return answer.token;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };
}
