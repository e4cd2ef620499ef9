import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoom, newUser, postFile } from './support/chat.js';
import { runUntilStarted, withMessage } from './support/processes.js';
import { createdOf, useWebhookDeployments } from './support/webhooks.js';

/*
 * Issue: `npm run webhooks -- deliver` without the servers' JWT_SECRET or MEDIA_URL_SECRET signed
 * file URLs with a development secret of its own (and made ./data/dev-jwt-secret wherever it ran),
 * so the file links inside webhooks answered 401. It takes the development secret only from a
 * DATA_DIR where the servers made it; otherwise it refuses in one line, creating nothing.
 */

const world = useWebhookDeployments();
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Runs `deliver` until it exits, or says it delivers (then it is killed; the code is null). */
const runDeliver = (env: NodeJS.ProcessEnv) =>
  runUntilStarted('webhooks/webhooks-cli.ts', ['deliver'], env, withMessage('delivering webhooks'));

const REFUSAL =
  /^error: deliver needs the servers' key to sign the file URLs in webhooks: set JWT_SECRET \(or MEDIA_URL_SECRET\) as the servers have it, or DATA_DIR to the folder whose dev-jwt-secret they use \(.* has none\)$/;

describe('npm run webhooks -- deliver without the servers key', () => {
  it('refuses in one line, making no development secret, when DATA_DIR has none', async () => {
    // A server with JWT_SECRET made the database; the deliverer is started without the key.
    const { env, start } = await world('sqlite');
    const server = await start();
    await server.stop();
    const run = await runDeliver({ ...env, JWT_SECRET: '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toMatch(REFUSAL);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(env.DATA_DIR!, 'dev-jwt-secret'))).toBe(false);
  }, 60_000);

  it('refuses a DATA_DIR that does not exist before making anything in it', async () => {
    const { env } = await world('postgres');
    const parent = await mkdtemp(path.join(tmpdir(), 'hirechat-deliver-key-'));
    dirs.push(parent);
    const dataDir = path.join(parent, 'nope');
    const run = await runDeliver({ ...env, JWT_SECRET: '', DATA_DIR: dataDir });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(REFUSAL);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('signs file URLs with the development secret the servers made, which they then serve', async () => {
    const { env, receiver, start, startDeliverer } = await world('sqlite', {
      JWT_SECRET: '',
      WEBHOOK_DELIVER: 'off',
    });
    const server = await start();
    const devSecret = (await readFile(path.join(env.DATA_DIR!, 'dev-jwt-secret'), 'utf8')).trim();
    const recruiter = newUser(devSecret, 'recruiter');
    const room = await createRoom(server.url, recruiter, [newUser(devSecret, 'client')]);
    const posted = await postFile(server.url, recruiter, room, {
      name: 'cv.txt',
      data: new TextEncoder().encode('a file for the webhook'),
    });
    expect(posted.status).toBe(201);

    await startDeliverer();
    const delivered = await receiver.waitFor(createdOf(posted.body.uuid));
    const event = delivered.event;
    if (event?.type !== 'message.created') throw new Error('not a message.created');
    const fileUrl = event.data.message.file_url;
    expect(fileUrl).toMatch(/^\/media\//);
    const download = await fetch(server.url + fileUrl);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('a file for the webhook');
  }, 90_000);
});
