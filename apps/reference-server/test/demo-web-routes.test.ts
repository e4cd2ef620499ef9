import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, type InProcessServer, startInProcessServer } from './support/in-process-server.js';

const PAGE =
  '<!doctype html><title>hirechat demo</title><script type="module" src="/assets/index-Ab12.js"></script>';
const SCRIPT = 'console.log("demo");';
const ROOM = '6f1e3c2a-9b8d-4e7f-a1c2-3d4e5f607182';

describe('the demo web app at /', () => {
  /** A stand-in for `apps/demo-web/dist`: what Vite writes, in miniature. */
  let build: string;
  beforeAll(async () => {
    build = await mkdtemp(path.join(tmpdir(), 'hirechat-demo-build-'));
    await mkdir(path.join(build, 'assets'));
    await writeFile(path.join(build, 'index.html'), PAGE);
    await writeFile(path.join(build, 'assets', 'index-Ab12.js'), SCRIPT);
    await writeFile(path.join(build, 'secret.txt'), 'outside the assets folder');
  });
  afterAll(async () => {
    await rm(build, { recursive: true, force: true });
  });

  const started: InProcessServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  const start = async (demoWebDir: string | null, env: NodeJS.ProcessEnv = {}) => {
    const server = await startInProcessServer(env, { demoWebDir });
    started.push(server);
    return server;
  };

  it('serves the page, revalidated on each load and confined by a Content-Security-Policy', async () => {
    const server = await start(build);
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(PAGE);
  });

  it('serves its hashed files for good, and nothing outside their folder', async () => {
    const server = await start(build);
    const script = await fetch(`${server.url}/assets/index-Ab12.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe(SCRIPT);

    const missing = await answerOf(`${server.url}/assets/nope.js`);
    expect(missing).toEqual({
      status: 404,
      type: 'application/json; charset=utf-8',
      body: '{"detail":"Not found.","code":"not_found"}',
    });
    for (const outside of [
      '/assets/..%2Fsecret.txt',
      '/assets/%2E%2E/secret.txt',
      '/assets/..%2F..%2Fpackage.json',
    ]) {
      const answer = await answerOf(`${server.url}${outside}`);
      expect(answer.status, outside).toBeGreaterThanOrEqual(400);
      expect(answer.body, outside).not.toContain('outside the assets folder');
    }
  });

  it('leaves every other path answering exactly as without the app', async () => {
    const [withApp, withoutApp] = [await start(build), await start(null)];
    const paths = [
      '/healthz',
      '/index.html',
      '/nope',
      '/assets',
      '/chats/chat-room/list/',
      '/chats/nope/',
      '/media/chat_files/nope.png',
      `/ws/chat/${ROOM}/`,
      '/dev/users',
    ];
    for (const url of paths) {
      expect(await answerOf(`${withApp.url}${url}`), url).toEqual(await answerOf(`${withoutApp.url}${url}`));
    }
    expect((await answerOf(`${withApp.url}/healthz`)).status).toBe(200);
    const post = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' };
    expect(await answerOf(`${withApp.url}/`, post)).toEqual(await answerOf(`${withoutApp.url}/`, post));
  });

  it('serves nothing at / with DEMO_WEB=off', async () => {
    const server = await start(null, { DEMO_WEB: 'off' });
    expect(server.config.demoWebDir).toBeNull();
    expect(await answerOf(`${server.url}/`)).toEqual({
      status: 404,
      type: 'application/json; charset=utf-8',
      body: '{"detail":"Not found.","code":"not_found"}',
    });
  });

  it('serves nothing, and says how to build it, when the app is not built', async () => {
    const server = await start(path.join(build, 'not-built'));
    expect((await answerOf(`${server.url}/`)).status).toBe(404);
    expect(server.logs.some((line) => /demo web app is not built/.test(String(line.msg)))).toBe(true);
  });
});
