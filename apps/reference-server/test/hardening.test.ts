import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RestPaths } from '@hirechat/protocol';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { newSecret } from './support/chat.js';
import { cleanEnv, type ServerProcess, startServerProcess } from './support/processes.js';

/** Issue 9 as the reference server's environment and routes carry it. */
describe('the reference server, hardened', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.kill();
    server = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(env: NodeJS.ProcessEnv = {}) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-hardening-'));
    const secret = newSecret();
    server = await startServerProcess({
      ...cleanEnv(),
      DATA_DIR: dataDir,
      JWT_SECRET: secret,
      LOG_LEVEL: 'info',
      ...env,
    });
    return { server, secret };
  }

  const listRooms = (url: string, token: string) =>
    fetch(`${url}${RestPaths.listRooms}`, { headers: { Authorization: `Bearer ${token}` } });

  it('refuses a token without exp by default, and a refresh token always', async () => {
    const { server, secret } = await start();
    const forever = jwt.sign({ sub: randomUUID() }, secret);
    const refresh = jwt.sign({ user_id: randomUUID(), token_type: 'refresh' }, secret, { expiresIn: 86_400 });

    for (const token of [forever, refresh]) {
      const answer = await listRooms(server.url, token);
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({ detail: expect.any(String), code: 'not_authenticated' });
    }
  });

  it('takes a token without exp with JWT_REQUIRE_EXP=false, and still no refresh token', async () => {
    const { server, secret } = await start({ JWT_REQUIRE_EXP: 'false' });
    const forever = jwt.sign({ sub: randomUUID() }, secret);
    const refresh = jwt.sign({ user_id: randomUUID(), token_type: 'refresh' }, secret, { expiresIn: 86_400 });

    expect((await listRooms(server.url, forever)).status).toBe(200);
    expect((await listRooms(server.url, refresh)).status).toBe(401);
  });

  it('answers a body trickled to a path it does not serve at once, with a 404, and closes', async () => {
    const { server } = await start();
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(
          'POST /no/such/path HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{',
        );
      });
      let text = '';
      const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
      socket.on('data', (chunk) => {
        text += chunk.toString('utf8');
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(trickle);
        resolve(text);
      });
    });
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer).toMatch(/\{"detail":"Not found\.","code":"not_found"\}$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
