import { type JwtPayload, jwtDecode } from 'jwt-decode';

/** A token, or a function that answers a fresh one (asked before each request and each connect). */
export type TokenSource = string | (() => string | Promise<string>);

/** The token itself: the string, or what the function answers now. */
export async function resolveToken(source: TokenSource): Promise<string> {
  return typeof source === 'function' ? source() : source;
}

/**
 * The user an access token names, as the server reads it (contract, "Identity"): its `sub` claim,
 * or `user_id` where `sub` is absent (Django SimpleJWT's claim). The token is only read, never
 * verified: that is the server's business. Null when it is no JWT or names no one.
 */
export function tokenUser(token: string): string | null {
  let claims: JwtPayload & { user_id?: unknown };
  try {
    claims = jwtDecode<JwtPayload & { user_id?: unknown }>(token);
  } catch {
    return null;
  }
  const user = claims.sub ?? claims.user_id;
  return typeof user === 'string' && user !== '' ? user : null;
}
