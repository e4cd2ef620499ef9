import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configWarnings } from '../src/config-warnings.js';
import { newSecret } from './support/chat.js';
import { missingDatabaseUrl } from './support/missing-database.js';
import {
  cleanEnv,
  type LogRecord,
  runUntilStarted,
  type ServerProcess,
  startServerProcess,
} from './support/processes.js';
import { runCli, webhookSecret } from './support/webhooks.js';

/*
 * What the reference server says at start-up about its environment, run as a user runs it:
 * - typos went unnoticed (WEBHOOK_URL for WEBHOOK_URLS; WEBHOOK_SECRET without WEBHOOK_URLS):
 *   one warning line each, with a "did you mean" where a known name is close;
 * - numbers far out of range started, then broke (WEBHOOK_RETRY_HOURS=99999999999999: every write
 *   a 500 on PostgreSQL); they are refused at start-up;
 * - a PostgreSQL database that is not there put knex's own lines on stdout, among the JSON log.
 */

const dirs: string[] = [];
const servers: ServerProcess[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.kill();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function baseEnv(): Promise<NodeJS.ProcessEnv> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-config-warnings-'));
  dirs.push(dataDir);
  return { ...cleanEnv(), DATA_DIR: dataDir, JWT_SECRET: newSecret(), DEMO_WEB: 'off', LOG_LEVEL: 'info' };
}

const warningsOf = (records: LogRecord[], variable: string) =>
  records.filter((record) => record.level === 40 && record.variable === variable).map((record) => record.msg);

describe('start-up warnings', () => {
  it('names a misspelt setting once, with the one meant, and webhook settings without WEBHOOK_URLS', async () => {
    const server = await startServerProcess({
      ...(await baseEnv()),
      WEBHOOK_URL: 'http://127.0.0.1:9/hook?token=SECRETQ',
      WEBHOOK_SECRET: webhookSecret(),
      RATE_LIMIT_WRITE_PER_S: '5',
      JWT_SECRETT: 'hunter2-hunter2',
    });
    servers.push(server);
    const { records } = server.output;
    expect(warningsOf(records, 'WEBHOOK_URL')).toEqual([
      'WEBHOOK_URL is not a setting of this server and is ignored; did you mean WEBHOOK_URLS?',
    ]);
    expect(warningsOf(records, 'RATE_LIMIT_WRITE_PER_S')).toEqual([
      'RATE_LIMIT_WRITE_PER_S is not a setting of this server and is ignored; did you mean RATE_LIMIT_WRITES_PER_S?',
    ]);
    expect(warningsOf(records, 'JWT_SECRETT')).toEqual([
      'JWT_SECRETT is not a setting of this server and is ignored; did you mean JWT_SECRET?',
    ]);
    expect(warningsOf(records, 'WEBHOOK_SECRET')).toEqual([
      'WEBHOOK_SECRET is set but WEBHOOK_URLS is not: webhooks are off, and WEBHOOK_SECRET does nothing',
    ]);
    // Values are never repeated: a misspelt variable may hold a secret.
    expect(server.output.text).not.toMatch(/SECRETQ|hunter2/);
  }, 60_000);

  it('names no variable but the one set to no purpose', async () => {
    const server = await startServerProcess({
      ...(await baseEnv()),
      WEBHOOK_DELIVER: 'off',
      UNREAD_NOTIFY_AFTER_S: '',
    });
    servers.push(server);
    // WEBHOOK_DELIVER without WEBHOOK_URLS is the one warning; nothing else names a variable.
    const named = server.output.records
      .filter((record) => record.variable !== undefined)
      .map((record) => record.variable);
    expect(named).toEqual(['WEBHOOK_DELIVER']);
  }, 60_000);

  it('warns the commands of npm run webhooks on stderr, leaving stdout to failed --json', async () => {
    const env = await baseEnv();
    const server = await startServerProcess(env);
    servers.push(server);
    await server.stop();
    const listed = await runCli(['failed', '--json'], { ...env, WEBHOOK_URL: 'http://127.0.0.1:9/hook' });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    expect(listed.stderr).toContain(
      'warning: WEBHOOK_URL is not a setting of this server and is ignored; did you mean WEBHOOK_URLS?',
    );
  }, 60_000);
});

describe('slips without one of the server prefixes', () => {
  // Found by a new user: REDIS_URI and DATABASE_URI fell back to in-process events and SQLite,
  // with no word of it; lower-case webhook_urls, RATELIMITS=off and LOG_LEVELS went unnoticed too.
  it.each([
    ['REDIS_URI', 'REDIS_URL'],
    ['DATABASE_URI', 'DATABASE_URL'],
    ['LOG_LEVELS', 'LOG_LEVEL'],
    ['RATELIMITS', 'RATE_LIMITS'],
    ['DEMOWEB', 'DEMO_WEB'],
    ['webhook_urls', 'WEBHOOK_URLS'],
  ])('names %s, meaning %s', (variable, meant) => {
    expect(configWarnings({ [variable]: 'x' })).toEqual([
      {
        variable,
        message: `${variable} is not a setting of this server and is ignored; did you mean ${meant}?`,
      },
    ]);
  });

  it("names none of this machine's own environment, nor other programs' short names", () => {
    const others = {
      HOME: '/root',
      PATH: '/bin',
      NODE_ENV: 'production',
      PWD: '/',
      HOSTNAME: 'box',
      PORTS: '1',
    };
    const env: NodeJS.ProcessEnv = { ...process.env, ...others };
    for (const name of Object.keys(env)) if (name.startsWith('HIRECHAT_')) delete env[name];
    expect(configWarnings(env)).toEqual([]);
  });
});

describe('numbers out of range', () => {
  it.each([
    [
      'WEBHOOK_RETRY_HOURS',
      /WEBHOOK_RETRY_HOURS: must be a number of hours above 0 and at most 720 \(30 days\)/,
    ],
    [
      'UNREAD_NOTIFY_AFTER_S',
      /UNREAD_NOTIFY_AFTER_S: must be a number of seconds above 0 and at most 604800 \(a week\)/,
    ],
  ])(
    'stop the server at start-up: %s=99999999999999',
    async (variable, message) => {
      const started = await runUntilStarted(
        'main.ts',
        [],
        {
          ...(await baseEnv()),
          PORT: '0',
          WEBHOOK_URLS: 'http://127.0.0.1:9/hook',
          WEBHOOK_SECRET: webhookSecret(),
          [variable]: '99999999999999',
        },
        (record) => /^listening on /.test(String(record.msg)),
      );
      expect(started.code).toBe(1);
      expect(started.stderr).toMatch(message);
    },
    30_000,
  );
});

describe('a PostgreSQL database that is not there', () => {
  it('stops the server with JSON log lines only on stdout, saying which', async () => {
    const { url, name } = await missingDatabaseUrl();
    const started = await runUntilStarted(
      'main.ts',
      [],
      {
        ...(await baseEnv()),
        PORT: '0',
        DATABASE_URL: url,
      },
      (record) => /^listening on /.test(String(record.msg)),
    );
    expect(started.code).toBe(1);
    const lines = started.stdout.trim().split('\n');
    const notJson = lines.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    const fatal = lines.map((line) => JSON.parse(line) as LogRecord).find((record) => record.level === 60);
    expect(fatal).toMatchObject({
      msg: 'could not start',
      err: { message: `database "${name}" does not exist` },
    });
  }, 30_000);
});
