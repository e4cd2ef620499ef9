import type { UserRecord } from '../domain/records.js';

/**
 * Who the users are. The default keeps a record per user from the claims of their tokens; an
 * embedding app may answer from its own user store instead.
 */
export interface UserDirectory {
  /** Keeps the user's record up to date with what their token says. */
  remember(user: UserRecord): Promise<void>;
  /** UUIDs of the users with this email (case-insensitive). */
  idsByEmail(email: string): Promise<string[]>;
}
