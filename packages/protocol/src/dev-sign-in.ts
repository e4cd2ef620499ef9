import { z } from 'zod';
import { UuidInputSchema, UuidSchema } from './ids.js';

/*
 * The reference server's development sign-in, which the demo web app uses. It is not part of the
 * chat contract: a real platform issues its own tokens. The reference server mounts these paths
 * only while it signs tokens with its development secret (neither JWT_SECRET nor JWT_PUBLIC_KEY
 * set); otherwise they do not exist and answer 404 like any unknown path.
 */

/** Paths of the development sign-in. */
export const DevSignInPaths = {
  /** GET: the demo users, as `DevUser[]`. */
  users: '/dev/users',
  /** POST `DevTokenRequest`: an access token for one demo user, as `DevToken`. */
  token: '/dev/token',
} as const;

/** One of the reference server's fixed demo users. */
export const DevUserSchema = z.object({
  /** The user's UUID: the `sub` of their tokens. */
  id: UuidSchema,
  name: z.string(),
  email: z.string(),
  role: z.enum(['recruiter', 'client']),
});
export type DevUser = z.infer<typeof DevUserSchema>;

export const DevUserListSchema = z.array(DevUserSchema);

/** POST /dev/token: which demo user to sign in as. */
export const DevTokenRequestSchema = z.strictObject({
  user: UuidInputSchema,
});
export type DevTokenRequest = z.infer<typeof DevTokenRequestSchema>;

/** The answer of POST /dev/token. */
export const DevTokenSchema = z.object({
  /** An access token for the user, as the server's token command signs it. */
  token: z.string(),
  /** Seconds until the token expires; ask for a new one before then. */
  expires_in: z.number().int().positive(),
  user: DevUserSchema,
});
export type DevToken = z.infer<typeof DevTokenSchema>;
