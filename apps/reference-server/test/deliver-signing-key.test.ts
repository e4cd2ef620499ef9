import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ensureDevSecret } from '../src/dev-secret.js';
import { signingKey } from '../src/webhooks/deliver-command.js';

/*
 * Found by a new user: servers on PostgreSQL with JWT_SECRET, and `npm run webhooks -- deliver`
 * started without it and without DATA_DIR, took the development secret a SQLite quick start had
 * left in ./data, and signed file URLs the servers refused (401). With DATABASE_URL the deliverer
 * takes a development secret only from a DATA_DIR that was set: the servers' folder.
 */

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/hirechat_servers';
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("the deliverer's signing key", () => {
  it('with DATABASE_URL and no DATA_DIR, is not the development secret of ./data', async () => {
    const cwd = process.cwd();
    const scratch = await mkdtemp(path.join(tmpdir(), 'hirechat-deliver-cwd-'));
    dirs.push(scratch);
    // A quick start on SQLite ran here before: ./data holds its development secret.
    await ensureDevSecret(path.join(scratch, 'data'));
    process.chdir(scratch);
    try {
      const config = loadConfig({ DATABASE_URL });
      await expect(signingKey(config)).rejects.toThrow(/DATA_DIR is not set/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('with DATABASE_URL and the DATA_DIR of the servers, is their development secret', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-deliver-data-'));
    dirs.push(dataDir);
    const made = await ensureDevSecret(dataDir);
    const key = await signingKey(loadConfig({ DATABASE_URL, DATA_DIR: dataDir }));
    expect(key.devSecretFile).toBe(made.file);
  });
});
