import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanEnv, Output, runToEnd, spawnFromSource } from './support/processes.js';

/** Runs the token command to completion; answers its exit code, stdout and stderr. */
function runTokenCli(args: string[], env: NodeJS.ProcessEnv) {
  return runToEnd('token-cli.ts', args, env);
}

describe('the reference server process', () => {
  const recruiter = randomUUID();
  const client = randomUUID();
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess;
  let output: Output;
  let listening: Record<string, unknown>;
  let baseUrl: string;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-process-'));
    // Whatever the developer's shell has set must not leak into the process under test.
    env = { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    server = spawnFromSource('main.ts', [], env);
    output = new Output(server);
    // Here rather than in a test, so that a server that cannot start fails with its own output
    // once, instead of every later test failing on an unknown port.
    listening = await output.waitFor((record) => /^listening on /.test(String(record.msg)));
  });

  afterAll(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('logs the address it listens on, with the port the OS gave it', () => {
    const match = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(String(listening.msg));
    expect(match).not.toBeNull();
    const port = Number(match?.[1]);
    expect(port).toBeGreaterThan(0);
    baseUrl = `http://127.0.0.1:${port}`;
  });

  it('says that any origin is allowed when ALLOWED_ORIGINS is unset', () => {
    expect(output.records.some((record) => /ALLOWED_ORIGINS is unset/.test(String(record.msg)))).toBe(true);
  });

  it('answers the health check', async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it("answers any unknown path with the contract's JSON 404, not Hapi's", async () => {
    const response = await fetch(`${baseUrl}/no/such/path`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
  });

  it('answers OPTIONS that is no CORS preflight on a known path with 405 and Allow', async () => {
    // The host shapes errors too; the plugin's 405 must come first whatever the realms' order.
    const response = await fetch(`${baseUrl}/chats/messages/create/`, { method: 'OPTIONS' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toMatchObject({ code: 'method_not_allowed' });
  });

  it('made a development secret that only its owner can read', async () => {
    const { mode } = await stat(path.join(dataDir, 'dev-jwt-secret'));
    expect(mode & 0o777).toBe(0o600);
    expect(output.text).toMatch(/DEVELOPMENT-ONLY/);
  });

  it('accepts a token from the token command', async () => {
    const result = await runTokenCli(['--user', recruiter, '--role', 'recruiter', '--name', 'Rita'], env);
    expect(result.code).toBe(0);
    token = result.stdout.trim();
    // Nothing but the token on stdout, so that `TOKEN=$(npm run -s token -- ...)` works.
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const response = await fetch(`${baseUrl}/chats/chat-room/list/?recruiter=${recruiter}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it('serves a file by its signed file_url without a token, keyed from the development secret', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const created = await fetch(`${baseUrl}/chats/chat-room/create/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ recruiter, clients: [randomUUID()] }),
    });
    expect(created.status).toBe(201);
    const form = new FormData();
    form.append('chat_room', ((await created.json()) as { uuid: string }).uuid);
    form.append('file', new Blob(['%PDF-1.4\n']), 'cv.pdf');
    const posted = await fetch(`${baseUrl}/chats/messages/create/`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    expect(posted.status).toBe(201);
    const { file_url } = (await posted.json()) as { file_url: string };

    const download = await fetch(baseUrl + file_url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('%PDF-1.4\n');
    expect(
      output.records.some(
        (r) =>
          r.msg === 'signing media URLs' && r.key === 'derived from the JWT secret' && r.ttlSeconds === 3600,
      ),
    ).toBe(true);
  });

  it('explains what is wrong with a bad token command', async () => {
    const result = await runTokenCli(['--user', 'not-a-uuid', '--role', 'boss'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--user must be a UUID/);
  });

  it('refuses to sign when JWT_PUBLIC_KEY is configured, and says why', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const result = await runTokenCli(['--user', recruiter], {
      ...env,
      JWT_PUBLIC_KEY: pem,
      MEDIA_URL_SECRET: 'm'.repeat(32),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/JWT_PUBLIC_KEY is set.*PRIVATE key/);
  });

  it('logs each request by path alone, never the token or the query string', async () => {
    await fetch(`${baseUrl}/healthz?token=${token}`);
    const line = await output.waitFor(
      (record) => record.msg === 'request' && record.path === '/chats/chat-room/list/',
    );
    expect(line).toMatchObject({ method: 'GET', status: 200, remoteAddress: '127.0.0.1' });
    expect(typeof line.durationMs).toBe('number');
    await output.waitFor(
      (record) => record.msg === 'request' && record.path === '/healthz' && record.status === 200,
    );
    expect(output.text).not.toContain(token);
    expect(output.text).not.toContain('token=');
  });

  it('closes open sockets with 1001 and exits 0 on SIGTERM', async () => {
    const created = await fetch(`${baseUrl}/chats/chat-room/create/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ recruiter, clients: [client] }),
    });
    expect(created.status).toBe(201);
    const room = ((await created.json()) as { uuid: string }).uuid;

    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws/chat/${room}/?token=${token}`);
    await once(socket, 'open');
    const closed = once(socket, 'close') as Promise<[number, Buffer]>;
    const exited = once(server, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    const signalledAt = Date.now();
    server.kill('SIGTERM');
    const [code] = await closed;
    expect(code).toBe(1001);
    const [exitCode, signal] = await exited;
    expect({ exitCode, signal }).toEqual({ exitCode: 0, signal: null });
    // Nothing was in flight, so nothing should have waited for the 10 s grace period.
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    // The socket's upgrade URL carried the token; neither the plugin nor we may have logged it.
    expect(output.text).not.toContain(token);
  });
});
