import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, runUntilStarted } from './support/processes.js';

/*
 * A HOST or PORT the server cannot listen on is a setting to fix, said the way every other bad
 * setting is: a malformed HOST with the other settings, and what only listening can tell (the port
 * in use, an address not of this machine, a name that does not resolve) in one line, no stack.
 */

describe('where the reference server cannot listen', () => {
  let dataDir: string | undefined;
  let busy: Server | undefined;

  afterEach(async () => {
    if (busy) await new Promise((resolve) => busy?.close(resolve));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    busy = undefined;
    dataDir = undefined;
  });

  async function start(env: NodeJS.ProcessEnv) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-listen-'));
    return runUntilStarted('main.ts', [], { ...cleanEnv(), DATA_DIR: dataDir, PORT: '0', ...env }, (record) =>
      /^listening on /.test(String(record.msg)),
    );
  }

  it('refuses a malformed HOST with the other settings', async () => {
    const run = await start({ HOST: '999.1.1.1', PORT: 'x' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Invalid configuration:\n/);
    expect(run.stderr).toContain('HOST: must be an IP address');
    expect(run.stderr).toContain('PORT: ');
    expect(run.stdout + run.stderr).not.toContain('\u001b[');
  });

  async function portInUse(): Promise<number> {
    const server = createServer();
    busy = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it.each([
    ['a port in use', async () => ({ HOST: '127.0.0.1', PORT: String(await portInUse()) }), 'EADDRINUSE'],
    // 192.0.2.0/24 is for documentation (RFC 5737): never an address of this machine.
    ['an address not of this machine', async () => ({ HOST: '192.0.2.1' }), 'EADDRNOTAVAIL'],
    // .invalid never resolves (RFC 2606).
    [
      'a name that does not resolve',
      async () => ({ HOST: 'not.a.real.host.invalid' }),
      /ENOTFOUND|EAI_AGAIN/,
    ],
  ])('says in one line, without a stack, that it cannot listen on %s', async (_, env, code) => {
    const settings = await env();
    const run = await start(settings);
    expect(run.code).toBe(1);
    const fatal = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((record) => record.level >= 50);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.msg).toMatch(`cannot listen on ${settings.HOST}:`);
    expect(fatal[0]?.msg).toMatch(code);
    expect(run.stdout + run.stderr).not.toMatch(/stack|\n\s+at /);
  });
});
