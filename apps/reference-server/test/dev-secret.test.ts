import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_SECRET_FILE, ensureDevSecret } from '../src/dev-secret.js';

describe('ensureDevSecret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hirechat-dev-secret-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a 32-byte hex secret that only its owner can read, then reuses it', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const first = await ensureDevSecret(dataDir);
    expect(first.created).toBe(true);
    expect(first.secret).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.file, 'utf8')).trim()).toBe(first.secret);

    const second = await ensureDevSecret(dataDir);
    expect(second).toEqual({ ...first, created: false });
  });

  it('agrees with itself when two callers race on a fresh folder', async () => {
    const [a, b] = await Promise.all([ensureDevSecret(dir), ensureDevSecret(dir)]);
    expect(a.secret).toBe(b.secret);
    expect([a.created, b.created].sort()).toEqual([false, true]);
  });

  it('tightens loose permissions on an existing secret', async () => {
    const { file } = await ensureDevSecret(dir);
    await chmod(file, 0o644);
    await ensureDevSecret(dir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a file that does not hold a secret', async () => {
    await writeFile(path.join(dir, DEV_SECRET_FILE), 'oops');
    await expect(ensureDevSecret(dir)).rejects.toThrow(/delete it/);
  });
});
