import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPostgresKnex, createSqliteKnex } from '@hirechat/server-kit';
import { createTestDatabase } from '@hirechat/server-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoom, newSecret, newUser } from './support/chat.js';
import { missingDatabaseUrl } from './support/missing-database.js';
import { cleanEnv, runToEnd, withMessage } from './support/processes.js';
import { runCli, useWebhookDeployments, webhookSecret } from './support/webhooks.js';

/*
 * The reference server and `npm run webhooks` with webhook URLs that hold secrets (README: never
 * echoed): the log of failed deliveries and the `failed` listing show them without their query;
 * URLs with a user and password, which fetch never sends, are refused at start-up by the server and
 * by the commands. The commands refuse a DATA_DIR without the server's database, or a PostgreSQL
 * database that is not there, in one line; `retry` counts an id named twice once.
 */

const world = useWebhookDeployments();
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hirechat-webhook-secrets-'));
  dirs.push(dir);
  return dir;
}

describe('webhook URLs with a token in their query', () => {
  it('are logged without it when deliveries fail', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hook`;
    const { jwtSecret, start } = await world('sqlite', { WEBHOOK_URLS: `${url}?token=SECRETQ` });
    const server = await start();
    const recruiter = newUser(jwtSecret, 'recruiter');
    await createRoom(server.url, recruiter, [newUser(jwtSecret, 'client')]);
    const line = await server.output.waitFor(withMessage('webhook not delivered'));
    expect(line.url).toBe(url);
    expect(server.output.text).not.toContain('SECRETQ');
  }, 60_000);

  it('are listed by failed without it, in the URL and in the last error', async () => {
    // Retried for about a second.
    const { receiver, jwtSecret, env, start } = await world('sqlite', { WEBHOOK_RETRY_HOURS: '0.0003' });
    const tokenUrl = `${receiver.url}?token=SECRETQ`;
    env.WEBHOOK_URLS = tokenUrl;
    receiver.answer = 500;
    const server = await start();
    const recruiter = newUser(jwtSecret, 'recruiter');
    await createRoom(server.url, recruiter, [newUser(jwtSecret, 'client')]);
    await server.output.waitFor(withMessage('webhook not delivered; retries are over'));
    expect(server.output.text).not.toContain('SECRETQ');
    await server.kill();
    // A last error recorded by an older version, which kept fetch's message (and its URL) whole.
    const knex = createSqliteKnex(path.join(env.DATA_DIR!, 'hirechat.sqlite'));
    try {
      await knex('webhook_deliveries').update({ last_error: `refused ${tokenUrl}` });
    } finally {
      await knex.destroy();
    }

    const text = await runCli(['failed'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`refused ${receiver.url}`);
    expect(text.stdout).not.toContain('SECRETQ');
    const json = await runCli(['failed', '--json'], env);
    const [failed, ...others] = JSON.parse(json.stdout) as Array<{
      id: number;
      url: string;
      lastError: string;
    }>;
    expect(others).toEqual([]);
    expect(failed).toMatchObject({ url: receiver.url, lastError: `refused ${receiver.url}` });

    // One delivery named twice is one delivery, found.
    const retried = await runCli(['retry', String(failed!.id), String(failed!.id)], env);
    expect(retried.stdout.trim()).toBe('Queued 1 delivery again.');
  }, 90_000);
});

describe('a webhook URL with a user and password', () => {
  const env = () => ({
    ...cleanEnv(),
    JWT_SECRET: newSecret(),
    DEMO_WEB: 'off',
    WEBHOOK_SECRET: webhookSecret(),
    WEBHOOK_URLS: 'http://user:hunter2@127.0.0.1:9011/hook',
  });

  it('stops the server at start-up, naming WEBHOOK_URLS', async () => {
    const started = await runToEnd('main.ts', [], { ...env(), DATA_DIR: await emptyDir(), PORT: '0' });
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(/WEBHOOK_URLS: entry 1 holds a user name or password/);
    expect(started.stdout + started.stderr).not.toContain('hunter2');
  }, 30_000);

  it('stops the commands of npm run webhooks, naming WEBHOOK_URLS', async () => {
    const listed = await runCli(['failed'], { ...env(), DATA_DIR: await emptyDir() });
    expect(listed.code).toBe(1);
    expect(listed.stderr).toMatch(/WEBHOOK_URLS: entry 1 holds a user name or password/);
    expect(listed.stdout + listed.stderr).not.toContain('hunter2');
  }, 30_000);
});

describe('npm run webhooks on a database that is not there', () => {
  it('refuses a DATA_DIR without the server database, creating none', async () => {
    const dataDir = path.join(await emptyDir(), 'nope');
    const listed = await runCli(['failed'], { ...cleanEnv(), DATA_DIR: dataDir });
    expect(listed.code).toBe(1);
    expect(listed.stdout).toBe('');
    expect(listed.stderr.trim()).toBe(
      `error: DATA_DIR (${dataDir}) holds no hirechat.sqlite: set DATA_DIR to the server's, or DATABASE_URL if it runs on PostgreSQL`,
    );
    expect(existsSync(path.join(dataDir, 'hirechat.sqlite'))).toBe(false);
  }, 30_000);

  it('refuses a PostgreSQL database without hirechat tables, making none in it', async () => {
    // Found by a new user: a mistyped name that hit another existing database got all of
    // hirechat's tables from a command that only lists.
    const database = await createTestDatabase();
    try {
      const listed = await runCli(['failed', '--json'], {
        ...cleanEnv(),
        DATA_DIR: await emptyDir(),
        DATABASE_URL: database.url,
      });
      expect(listed.code).toBe(1);
      expect(listed.stdout).toBe('');
      expect(listed.stderr.trim()).toBe(
        "error: the PostgreSQL database of DATABASE_URL holds no hirechat tables: point it at the servers' database (a server makes its tables when it starts)",
      );
      const knex = createPostgresKnex(database.url);
      try {
        const tables = await knex('information_schema.tables')
          .where('table_schema', 'public')
          .count({ n: '*' });
        expect(Number(tables[0]?.n)).toBe(0);
      } finally {
        await knex.destroy();
      }
    } finally {
      await database.drop();
    }
  }, 30_000);

  it('says in one line that the PostgreSQL database of DATABASE_URL does not exist', async () => {
    const { url, name } = await missingDatabaseUrl();
    const listed = await runCli(['failed', '--json'], {
      ...cleanEnv(),
      DATA_DIR: await emptyDir(),
      DATABASE_URL: url,
    });
    expect(listed.code).toBe(1);
    // Issue: knex's "Acquire connection error" lines and a stack came first, on stdout.
    expect(listed.stdout).toBe('');
    expect(listed.stderr.trim()).toBe(
      `error: the PostgreSQL database of DATABASE_URL cannot be used: database "${name}" does not exist`,
    );
  }, 30_000);
});
