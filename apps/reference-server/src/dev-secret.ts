import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** File in DATA_DIR that keeps the development secret between runs. */
export const DEV_SECRET_FILE = 'dev-jwt-secret';

/** Said wherever the development secret is used, so that nobody mistakes it for a real set-up. */
export const DEV_SECRET_WARNING =
  'JWT_SECRET and JWT_PUBLIC_KEY are unset: tokens are signed and verified with a DEVELOPMENT-ONLY ' +
  'secret kept in DATA_DIR. Anyone who can read that file can sign in as anyone. ' +
  'Set JWT_SECRET or JWT_PUBLIC_KEY before exposing this server.';

export interface DevSecret {
  secret: string;
  /** Where it is kept. */
  file: string;
  /** Whether this call made it (the first run on a fresh DATA_DIR). */
  created: boolean;
}

const SECRET_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Answers the development JWT secret of `dataDir`, making it on first use: 32 random bytes as hex,
 * in a file only its owner may read. The server and the token command both call this, in either
 * order, and end up with the same secret.
 */
export async function ensureDevSecret(dataDir: string): Promise<DevSecret> {
  const file = path.join(dataDir, DEV_SECRET_FILE);
  const stored = await readSecret(file);
  if (stored !== null) return { secret: stored, file, created: false };

  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  // Written whole to a private temporary file, then linked into place: link() fails when the file
  // exists, so two processes starting at once (server and token command) never overwrite each
  // other's secret, and neither can read a half-written one.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(draft, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, file);
    return { secret, file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  // Another process made it between our read and our link: theirs is the one.
  const theirs = await readSecret(file);
  if (theirs === null) throw new Error(`${file} vanished while it was being made; try again`);
  return { secret: theirs, file, created: false };
}

/**
 * The development secret of `dataDir` if a server made one there, else null; never makes one.
 * For commands that must sign as the servers do: a secret of their own would be refused.
 */
export async function readDevSecret(dataDir: string): Promise<DevSecret | null> {
  const file = path.join(dataDir, DEV_SECRET_FILE);
  const secret = await readSecret(file);
  return secret === null ? null : { secret, file, created: false };
}

/** The secret kept in `file`, or null when there is no such file. */
async function readSecret(file: string): Promise<string | null> {
  let stored: string;
  try {
    stored = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!SECRET_PATTERN.test(stored)) {
    throw new Error(
      `${file} does not hold a development secret (64 hex characters); delete it to make a new one`,
    );
  }
  // Someone may have copied the folder with looser permissions; the secret lets anyone mint tokens.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return stored;
}
