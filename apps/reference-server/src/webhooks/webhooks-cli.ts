#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEFAULT_WEBHOOK_RETRY_HOURS } from '@hirechat/protocol';
import {
  type FailedDelivery,
  type KnexDeliveryQueue,
  redactUrl,
  redactUrlsIn,
  WebhookEndpoints,
} from '@hirechat/server-kit';
import { ConfigError, loadConfig } from '../config.js';
import { configWarnings } from '../config-warnings.js';
import { WebhookCommandError } from './command-error.js';
import { deliver } from './deliver-command.js';
import { openWebhookDatabase } from './webhook-database.js';

const USAGE = `Usage: npm run webhooks -- failed [--json]
       npm run webhooks -- retry <id> [<id> ...]
       npm run webhooks -- retry --all
       npm run webhooks -- deliver

With the server's own configuration (DATABASE_URL, or the SQLite file in DATA_DIR; the WEBHOOK_ variables):

  failed        lists the webhook deliveries that ran out of retries: id, event id, type, URL,
                attempts, when the event was queued, and what the last attempt met
  --json        the same as one JSON array
  retry <id>    queues those deliveries again, due now, retried for WEBHOOK_RETRY_HOURS, to the URL
                of WEBHOOK_URLS with the same endpoint (the URL as failed shows it: a rotated token
                is followed); those whose endpoint is no longer configured stay failed, counted. A
                running server sends them within WEBHOOK_POLL_MS, or within a minute if it found
                their URL down (its circuit breaker probes such a URL once a minute at least); one
                that is stopped, when it starts. Exits 1 when an id names no failed delivery, or
                names one that could not be queued
  retry --all   queues every failed delivery again (those of URLs no longer configured stay failed)
  deliver       sends the queue of servers started with WEBHOOK_DELIVER=off, in this process alone,
                until SIGTERM or SIGINT (then it finishes the attempts in flight and leaves the
                rest queued for its next run); any number may run, on one PostgreSQL`;

/** For anything the person at the terminal has to fix; printed without a stack. */
class UsageError extends Error {}

/** What a command prints: `output` on stdout; `error`, if any, on stderr, and the exit code is 1. */
interface Answer {
  output: string | null;
  error?: string;
}

async function main(argv: string[]): Promise<Answer> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { output: USAGE };
  const [command, ...ids] = positionals;
  if (command === 'failed') {
    if (ids.length > 0 || values.all) throw new UsageError('failed takes no ids and no --all');
    // URLs may hold a token or a password, and errors of older versions the URL whole.
    const failed = (await withQueue((queue) => queue.listFailed())).map((delivery) => ({
      ...delivery,
      url: redactUrl(delivery.url),
      lastError: delivery.lastError === null ? null : redactUrlsIn(delivery.lastError),
    }));
    return { output: values.json ? JSON.stringify(failed, null, 2) : table(failed) };
  }
  if (command === 'retry') {
    if (values.json) throw new UsageError('--json goes with failed');
    if (Boolean(values.all) === ids.length > 0)
      throw new UsageError('retry takes ids, or --all, and not both');
    const numbers = ids.map((id) => {
      if (!/^\d+$/.test(id)) throw new UsageError(`an id is a whole number (see failed), got "${id}"`);
      return Number(id);
    });
    // `retry 25 25` names one delivery: counted twice, it would be reported missing once.
    const unique = [...new Set(numbers)];
    const config = loadConfig(process.env);
    const retryForMs = (config.webhooks?.retryHours ?? DEFAULT_WEBHOOK_RETRY_HOURS) * 60 * 60 * 1000;
    const endpoints = new WebhookEndpoints(config.webhooks?.urls ?? []);
    const { queued, notConfigured } = await withQueue((queue) =>
      queue.retry(values.all ? 'all' : unique, endpoints, Math.round(retryForMs)),
    );
    const output =
      `Queued ${queued} ${queued === 1 ? 'delivery' : 'deliveries'} again.` +
      (notConfigured > 0
        ? ` ${notConfigured} left failed: their URL is no longer in the configuration (WEBHOOK_URLS).`
        : '');
    if (values.all) return { output };
    const missing = unique.length - queued - notConfigured;
    if (missing > 0) {
      return { output, error: `${missing} of the ids named no failed delivery (see failed)` };
    }
    if (notConfigured > 0) return { output, error: 'not every delivery named could be queued' };
    return { output };
  }
  if (command === 'deliver') {
    if (ids.length > 0 || values.all || values.json) throw new UsageError('deliver takes no arguments');
    const config = loadConfig(process.env);
    if (!config.webhooks) throw new UsageError('WEBHOOK_URLS is unset: there is nothing to deliver to');
    return { output: await deliver({ ...config, webhooks: config.webhooks }) };
  }
  throw new UsageError(
    command === undefined ? 'say failed, retry or deliver' : `unknown command "${command}"`,
  );
}

/** The delivery queue of the server's database (migrated, as the server would on start). */
async function withQueue<T>(use: (queue: KnexDeliveryQueue) => Promise<T>): Promise<T> {
  const database = await openWebhookDatabase(loadConfig(process.env));
  try {
    return await use(database.queue);
  } finally {
    await database.close();
  }
}

function table(failed: FailedDelivery[]): string {
  if (failed.length === 0) return 'No failed deliveries.';
  const rows = failed
    .map((delivery) => [
      String(delivery.id),
      delivery.eventId,
      delivery.type,
      delivery.url,
      String(delivery.attempts),
      new Date(delivery.queuedAt).toISOString(),
      delivery.lastError ?? '',
    ])
    .map((row) => row.map(oneLine));
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

/** A table cell on one line: an error may span several (a TLS error does); `--json` keeps them. */
function oneLine(cell: string): string {
  return cell.replace(/\s*[\r\n]+\s*/g, ' ').trim();
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

// On stderr: stdout carries the output alone (a token, `failed --json`).
for (const warning of configWarnings(process.env)) console.error(`warning: ${warning.message}`);

try {
  const { output, error } = await main(process.argv.slice(2));
  if (output !== null) console.log(output);
  if (error !== undefined) {
    console.error(`error: ${error}`);
    process.exitCode = 1;
  }
} catch (error) {
  if (error instanceof UsageError) console.error(`error: ${error.message}\n\n${USAGE}`);
  else if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof WebhookCommandError) console.error(`error: ${error.message}`);
  else console.error(error);
  process.exit(1);
}
