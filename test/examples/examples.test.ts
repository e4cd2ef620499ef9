import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChatClient } from '@hirechat/client-sdk';
import { WebhookHeaders } from '@hirechat/protocol';
import { freePort, startTestServer, type TestServer } from '@hirechat/server-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, Script } from './support/script.js';

/*
 * Every file in examples/ run as its header says, against a real server: the example's own (the
 * embedding one), or a test server on a free port. A file with no test here fails the first test.
 */

const covered = new Set<string>();
const cleanups: Array<() => Promise<unknown>> = [];

/** A test of `examples/<file>`, which counts the file as covered. */
function example(file: string, title: string, run: () => Promise<void>): void {
  covered.add(file);
  it(`${file} ${title}`, run, 60_000);
}

/** A test server, stopped after the test. */
async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const started = await startTestServer({ database: { kind: 'sqlite' }, ...options });
  cleanups.push(() => started.stop());
  return started;
}

/** An example started now, killed after the test if it still runs. */
function start(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Script {
  const script = Script.start(file, args, env);
  cleanups.push(() => script.kill());
  return script;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('examples/', () => {
  it('has a test below for every file', async () => {
    expect((await readdir(path.join(ROOT, 'examples'))).sort()).toEqual([...covered].sort());
  });

  example(
    'embed-in-hapi.ts',
    'serves its own route and the chat on one port, and stops on Ctrl+C',
    async () => {
      const port = await freePort();
      const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-example-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const embedded = start('embed-in-hapi.ts', [], {
        PORT: String(port),
        DATA_DIR: dataDir,
        JWT_SECRET: randomBytes(32).toString('hex'),
      });

      const [, url, room] = await embedded.waitFor(/listening on (http:\/\/\S+); room ([0-9a-f-]{36})\n/);
      const [, token] = await embedded.waitFor(/recruiter token: (\S+)\n/);
      expect(url).toBe(`http://127.0.0.1:${port}`);

      const own = await fetch(`${url}/`);
      expect(await own.json()).toEqual({ app: 'my recruiting platform' });
      // The room it created before listening is the recruiter's, and takes messages.
      const chat = new ChatClient({ baseUrl: url as string, token: token as string });
      expect((await chat.rooms.list()).map((r) => r.uuid)).toEqual([room]);
      const message = await chat.messages.create({ chat_room: room as string, content: 'from the test' });
      expect(message.content).toBe('from the test');

      expect(await embedded.stop('SIGINT')).toEqual({ code: 0, signal: null });
    },
  );

  example('sdk-in-node.ts', 'creates a room, follows it, posts to it and prints the event', async () => {
    const chatServer = await server();
    const user = randomUUID();
    const sdk = start('sdk-in-node.ts', [], {
      HIRECHAT_URL: chatServer.url,
      HIRECHAT_USER: user,
      HIRECHAT_TOKEN: chatServer.token({ sub: user, role: 'recruiter' }),
    });

    expect(await sdk.exited, sdk.output).toEqual({ code: 0, signal: null });
    expect(sdk.output).toBe(`${user}: Hello from the SDK\n`);
  });

  example('watch-room.mjs', 'prints each event of the room, and closes with 1000 on SIGTERM', async () => {
    const chatServer = await server();
    const [recruiter, client] = [randomUUID(), randomUUID()];
    const asRecruiter = new ChatClient({
      baseUrl: chatServer.url,
      token: chatServer.token({ sub: recruiter, role: 'recruiter' }),
    });
    const room = await asRecruiter.rooms.create({ recruiter, clients: [client] });
    const watcher = start('watch-room.mjs', [room.uuid, chatServer.token({ sub: client }), chatServer.url]);
    await watcher.waitFor(/watching room/);

    const posted = await asRecruiter.messages.create({ chat_room: room.uuid, content: 'hello watcher' });
    // Who is online comes first (the watcher itself); the message follows.
    const [printed] = await watcher.waitFor(/^\{\n {2}"type": "message_created",[\s\S]*?\n\}\n/m);
    expect(JSON.parse(printed)).toEqual({ type: 'message_created', message: posted, seq: 1 });
    const [presence] = watcher.output.match(/^\{\n {2}"type": "presence",[\s\S]*?\n\}\n/m) ?? [''];
    expect(JSON.parse(presence)).toEqual({ type: 'presence', online_users: [client] });

    expect(await watcher.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(watcher.output).toContain('socket closed with 1000: closed normally');
  });

  example('watch-room.mjs', 'says why the server refused it, and exits 1', async () => {
    const chatServer = await server();
    const watcher = start('watch-room.mjs', [randomUUID(), 'not-a-token', chatServer.url]);
    expect(await watcher.exited).toEqual({ code: 1, signal: null });
    expect(watcher.output).toContain('socket closed with 4401: no token, a bad one or an expired one');
  });

  example(
    'webhook-receiver.mjs',
    'verifies, prints a message.unread, and refuses a forged request',
    async () => {
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      const port = await freePort();
      const receiver = start('webhook-receiver.mjs', [String(port)], { WEBHOOK_SECRET: secret });
      const [, url] = await receiver.waitFor(/listening on (http:\/\/\S+)\n/);
      const chatServer = await server({
        webhooks: { urls: [url as string], secret, pollIntervalMs: 50 },
        unread: { notifyAfterS: 0.5, checkIntervalMs: 20 },
      });
      const [recruiter, client] = [randomUUID(), randomUUID()];
      const asRecruiter = new ChatClient({
        baseUrl: chatServer.url,
        token: chatServer.token({ sub: recruiter, role: 'recruiter' }),
      });
      const room = await asRecruiter.rooms.create({ recruiter, clients: [client] });
      const posted = await asRecruiter.messages.create({
        chat_room: room.uuid,
        content: 'Are you free on Monday?',
      });

      const [, line] = await receiver.waitFor(/^(message\.unread \(msg_[0-9a-f]{32}\): .*)\n/m);
      expect(line).toContain(`email ${client}: they missed "Are you free on Monday?" in room ${room.uuid}`);
      const [printed] = await receiver.waitFor(/^\{\n {2}"type": "message\.unread",[\s\S]*?\n\}\n/m);
      expect(JSON.parse(printed)).toEqual({
        type: 'message.unread',
        timestamp: expect.any(String),
        data: { message: posted, user_id: client },
      });

      const forged = await fetch(url as string, {
        method: 'POST',
        headers: {
          [WebhookHeaders.id]: 'msg_forged',
          [WebhookHeaders.timestamp]: String(Math.floor(Date.now() / 1000)),
          [WebhookHeaders.signature]: 'v1,bm90IGEgc2lnbmF0dXJl',
        },
        body: JSON.stringify({ type: 'message.unread', timestamp: posted.timestamp, data: {} }),
      });
      expect(forged.status).toBe(400);
      await receiver.waitFor(/refused a request: No matching signature found\n/);
      expect(await receiver.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    },
  );
});
