import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type ReceivedWebhook, startWebhookReceiver } from '@hirechat/server-kit/testing';
import { afterEach, expect } from 'vitest';
import { createRoom, newSecret, newUser, postMessage } from './chat.js';
import {
  cleanEnv,
  killProcess,
  Output,
  runToEnd,
  type ServerProcess,
  spawnFromSource,
  startServerProcess,
  stopWithSigterm,
} from './processes.js';

/*
 * Reference servers sending webhooks to a real receiver the test controls, over SQLite or a fresh
 * PostgreSQL database, and the commands of `npm run webhooks` run on the same environment.
 */

export const webhookSecret = () => `whsec_${Buffer.from(newSecret().slice(0, 32)).toString('base64')}`;

interface Deployment {
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

async function deployment(kind: 'sqlite' | 'postgres'): Promise<Deployment> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-webhooks-'));
  const database = kind === 'postgres' ? await createTestDatabase() : null;
  return {
    env: { DATA_DIR: dataDir, ...(database && { DATABASE_URL: database.url }) },
    async cleanup() {
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A `npm run webhooks -- deliver` process, started from source. */
export interface DeliverProcess {
  child: ChildProcess;
  output: Output;
  /** SIGTERM; resolves with its exit code once it has exited. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * Registers the cleanup of each test and answers `world`: a receiver, a deployment, and the
 * environment of servers that send the one to the other (fast retries and polls).
 */
export function useWebhookDeployments() {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  return async function world(kind: 'sqlite' | 'postgres', extra: NodeJS.ProcessEnv = {}) {
    const secret = webhookSecret();
    const receiver = await startWebhookReceiver(secret);
    cleanups.push(() => receiver.stop());
    const deployed = await deployment(kind);
    cleanups.push(() => deployed.cleanup());
    const jwtSecret = newSecret();
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      ...deployed.env,
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: 'info',
      DEMO_WEB: 'off',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: secret,
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RETRY_MIN_MS: '50',
      WEBHOOK_RETRY_MAX_MS: '300',
      WEBHOOK_POLL_MS: '50',
      ...extra,
    };
    const start = async () => {
      const server = await startServerProcess(env);
      cleanups.push(() => server.kill());
      return server;
    };
    /** Starts `npm run webhooks -- deliver` and resolves once it delivers. */
    const startDeliverer = async (): Promise<DeliverProcess> => {
      const child = spawnFromSource('webhooks/webhooks-cli.ts', ['deliver'], env);
      const output = new Output(child);
      const kill = () => killProcess(child);
      cleanups.push(kill);
      const stop = () => stopWithSigterm(child);
      try {
        await output.waitFor((record) => record.msg === 'delivering webhooks', { timeoutMs: 20_000 });
      } catch (error) {
        await kill();
        throw error;
      }
      return { child, output, stop, kill };
    };
    return { receiver, secret, env, jwtSecret, start, startDeliverer };
  };
}

export const createdOf = (uuid: string) => (r: ReceivedWebhook) =>
  r.event?.type === 'message.created' && r.event.data.message.uuid === uuid && r.answer === 200;

export async function roomWithMessages(
  server: ServerProcess,
  jwtSecret: string,
  count: number,
  label: string,
) {
  const recruiter = newUser(jwtSecret, 'recruiter');
  const client = newUser(jwtSecret, 'client');
  const room = await createRoom(server.url, recruiter, [client]);
  const uuids: string[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await postMessage(server.url, recruiter, room, `${label} ${i}`);
    expect(answer.status).toBe(201);
    uuids.push(answer.body.uuid);
  }
  return { recruiter, client, room, uuids };
}

/** Runs `npm run webhooks -- <args>` to its end (from source), with `env`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv) {
  return runToEnd('webhooks/webhooks-cli.ts', args, env);
}
