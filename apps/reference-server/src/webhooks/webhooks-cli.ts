#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WEBHOOK_RETRY_HOURS } from '@hirechat/protocol';
import {
  createPostgresKnex,
  createSqliteKnex,
  type FailedDelivery,
  KnexChatStorage,
  KnexDeliveryQueue,
} from '@hirechat/server-kit';
import { ConfigError, loadConfig } from '../config.js';
import { DATABASE_FILE } from '../server.js';

const USAGE = `Usage: npm run webhooks -- failed [--json]
       npm run webhooks -- retry <id> [<id> ...]
       npm run webhooks -- retry --all

With the server's own configuration (DATABASE_URL, or the SQLite file in DATA_DIR; WEBHOOK_RETRY_HOURS):

  failed        lists the webhook deliveries that ran out of retries: id, event id, type, URL,
                attempts, when the event was queued, and what the last attempt met
  --json        the same as one JSON array
  retry <id>    queues those deliveries again, due now, retried for WEBHOOK_RETRY_HOURS; a running
                server sends them within WEBHOOK_POLL_MS (one that is stopped, when it starts)
  retry --all   queues every failed delivery again`;

/** For anything the person at the terminal has to fix; printed without a stack. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<string> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return USAGE;
  const [command, ...ids] = positionals;
  if (command === 'failed') {
    if (ids.length > 0 || values.all) throw new UsageError('failed takes no ids and no --all');
    const failed = await withQueue((queue) => queue.listFailed());
    return values.json ? JSON.stringify(failed, null, 2) : table(failed);
  }
  if (command === 'retry') {
    if (values.json) throw new UsageError('--json goes with failed');
    if (Boolean(values.all) === ids.length > 0)
      throw new UsageError('retry takes ids, or --all, and not both');
    const numbers = ids.map((id) => {
      if (!/^\d+$/.test(id)) throw new UsageError(`an id is a whole number (see failed), got "${id}"`);
      return Number(id);
    });
    const config = loadConfig(process.env);
    const retryForMs = (config.webhooks?.retryHours ?? DEFAULT_WEBHOOK_RETRY_HOURS) * 60 * 60 * 1000;
    const count = await withQueue((queue) =>
      queue.retry(values.all ? 'all' : numbers, Math.round(retryForMs)),
    );
    const missing = values.all ? 0 : numbers.length - count;
    return (
      `Queued ${count} ${count === 1 ? 'delivery' : 'deliveries'} again.` +
      (missing > 0 ? ` ${missing} of the ids named no failed delivery.` : '')
    );
  }
  throw new UsageError(command === undefined ? 'say failed or retry' : `unknown command "${command}"`);
}

/** The delivery queue of the server's database (migrated, as the server would on start). */
async function withQueue<T>(use: (queue: KnexDeliveryQueue) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const knex = config.databaseUrl
    ? createPostgresKnex(config.databaseUrl, { pool: { max: 1 } })
    : createSqliteKnex(path.join(config.dataDir, DATABASE_FILE));
  const storage = new KnexChatStorage(knex);
  try {
    await storage.migrate();
    return await use(new KnexDeliveryQueue(knex));
  } finally {
    await storage.close();
  }
}

function table(failed: FailedDelivery[]): string {
  if (failed.length === 0) return 'No failed deliveries.';
  const rows = failed.map((delivery) => [
    String(delivery.id),
    delivery.eventId,
    delivery.type,
    delivery.url,
    String(delivery.attempts),
    new Date(delivery.queuedAt).toISOString(),
    delivery.lastError ?? '',
  ]);
  const header = ['id', 'event id', 'type', 'url', 'attempts', 'queued at', 'last error'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

try {
  console.log(await main(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError) console.error(`error: ${error.message}\n\n${USAGE}`);
  else if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
}
