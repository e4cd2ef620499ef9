import { hkdfSync } from 'node:crypto';
import type { JwtKey, ReferenceServerConfig } from './config.js';

/** HKDF's `info`: names what the derived key is for, so that it is this key and no other. */
const DERIVATION_LABEL = 'hirechat media URL signatures v1';

/** Where the key of media URL signatures came from, for the start-up log. */
export type MediaUrlSecretSource = 'MEDIA_URL_SECRET' | 'derived from the JWT secret';

/**
 * The key that signs media URLs: MEDIA_URL_SECRET when set, else one derived from the JWT secret
 * (JWT_SECRET, or the development secret) with HKDF-SHA256 (RFC 5869), so that every process that
 * shares the JWT secret signs and checks with the same key. Both are HMAC-SHA256, so the two keys
 * are kept apart: nothing signed as a URL can ever pass for a token signature, nor the reverse.
 *
 * @throws Error when neither is available (JWT_PUBLIC_KEY without MEDIA_URL_SECRET, which
 *   loadConfig refuses already).
 */
export function mediaUrlSecret(
  config: Pick<ReferenceServerConfig, 'mediaUrlSecret'>,
  jwt: JwtKey,
): { secret: string | Buffer; source: MediaUrlSecretSource } {
  if (config.mediaUrlSecret !== null) return { secret: config.mediaUrlSecret, source: 'MEDIA_URL_SECRET' };
  if (!('secret' in jwt)) throw new Error('MEDIA_URL_SECRET is required with JWT_PUBLIC_KEY.');
  const key = hkdfSync('sha256', jwt.secret, Buffer.alloc(0), DERIVATION_LABEL, 32);
  return { secret: Buffer.from(key), source: 'derived from the JWT secret' };
}
