import {
  DEFAULT_UNREAD_NOTIFY_AFTER_S,
  DEFAULT_WEBHOOK_RETRY_HOURS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
} from '@hirechat/protocol';
import { Webhook } from 'standardwebhooks';
import { checkWholeNumberOption } from '../options/whole-number-option.js';

/**
 * Outgoing webhooks (plugin option `webhooks`; contract, "Webhooks"). Every committed domain event
 * is queued in the transaction of the change that caused it, once per URL, and POSTed by a loop of
 * every process, signed per the Standard Webhooks specification.
 */
export interface WebhookOptions {
  /** Absolute http(s) URLs to send every event to, without user or password (see webhookUrlProblem). */
  urls: string[];
  /** `whsec_<base64>`: the key of the signatures; receivers verify with the same. */
  secret: string;
  /** How long one attempt may take, in ms; longer is a failure, retried. Default 5000. */
  timeoutMs?: number;
  /** For how long after an event it is retried, in hours (fractions allowed). Default 24. */
  retryHours?: number;
  /**
   * Backoff between attempts of one delivery, in ms: the first retry waits from `minRetryDelayMs`
   * to twice that, each next one twice as long, never more than `maxRetryDelayMs`. Defaults 5000
   * and 3,600,000 (an hour). The minimum may not be larger than the maximum. A URL found down is
   * still probed at least once a minute (DeliveryLoop's MAX_PAUSE_MS), whatever the maximum.
   */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /**
   * How often the queue is looked at for retries that came due and events queued by other
   * processes, in ms; this process's own events are sent at once. Default 1000.
   */
  pollIntervalMs?: number;
  /**
   * Deliveries this process has in flight at once, over as many connections to each receiver. Default
   * 16: a backlog is claimed half of them at a time (see DeliveryLoop).
   */
  concurrency?: number;
  /**
   * Whether this process delivers (it always queues). Default true. `false`, with a
   * WebhookDeliverer in a process of its own, keeps sending off the CPU that serves requests.
   */
  deliver?: boolean;
}

/**
 * `message.unread` (plugin option `unread`): told through webhooks and the `onEvent` hook, so kept
 * only when there is either. `false` turns it off.
 */
export interface UnreadOptions {
  /** Seconds after a message is sent that a participant who missed it is told. Default 300. */
  notifyAfterS?: number;
  /** How often due messages are looked for, in ms. Default 1000, or less for short delays. */
  checkIntervalMs?: number;
}

/**
 * The largest value of each numeric option (the reference server's settings have the same). Past
 * them a value only breaks later: a delivery is retried until its queue time plus `retryHours`, in
 * Unix ms in a bigint column, which 99999999999999 hours overflows on PostgreSQL (every write that
 * queues an event fails); the unread scan reads messages sent before now minus `notifyAfterS`, as a
 * date, which past the range of dates is a RangeError on every scan.
 */
export const WEBHOOK_LIMITS = {
  /** 10 minutes. */
  timeoutMs: 10 * 60 * 1000,
  /** 30 days. */
  retryHours: 30 * 24,
  /** A day. */
  minRetryDelayMs: 24 * 60 * 60 * 1000,
  /** 7 days. */
  maxRetryDelayMs: 7 * 24 * 60 * 60 * 1000,
  /** An hour. */
  pollIntervalMs: 60 * 60 * 1000,
  concurrency: 1_000,
  /** A week: beyond it, an email about a missed message is no use. */
  notifyAfterS: 7 * 24 * 60 * 60,
  /** An hour. */
  checkIntervalMs: 60 * 60 * 1000,
} as const;

export type ResolvedWebhookOptions = Required<WebhookOptions>;
export type ResolvedUnreadOptions = Required<UnreadOptions>;

const WEBHOOK_DEFAULTS = {
  timeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
  retryHours: DEFAULT_WEBHOOK_RETRY_HOURS,
  minRetryDelayMs: 5_000,
  maxRetryDelayMs: 60 * 60 * 1000,
  pollIntervalMs: 1_000,
  concurrency: 16,
  deliver: true,
};

/**
 * Fills in the defaults and checks the options once, at registration.
 * @throws Error naming the option that is wrong.
 */
export function resolveWebhookOptions(options: WebhookOptions): ResolvedWebhookOptions {
  const merged = { ...WEBHOOK_DEFAULTS, ...definedOnly(options) } as ResolvedWebhookOptions;
  if (!Array.isArray(merged.urls)) throw new Error('hirechat: "webhooks.urls" must be a list of URLs.');
  for (const [index, url] of merged.urls.entries()) {
    // Named by place, never repeated: a URL may hold a token or a password.
    const problem = webhookUrlProblem(url);
    if (problem) throw new Error(`hirechat: "webhooks.urls[${index}]" ${problem}.`);
  }
  if (!isWebhookSecret(merged.secret)) {
    throw new Error(
      'hirechat: "webhooks.secret" must be a Standard Webhooks secret, whsec_<base64> of ' +
        `${WEBHOOK_SECRET_BYTES.min} to ${WEBHOOK_SECRET_BYTES.max} random bytes.`,
    );
  }
  for (const name of [
    'timeoutMs',
    'minRetryDelayMs',
    'maxRetryDelayMs',
    'pollIntervalMs',
    'concurrency',
  ] as const) {
    checkWholeNumberOption(`webhooks.${name}`, merged[name], WEBHOOK_LIMITS[name]);
  }
  if (merged.minRetryDelayMs > merged.maxRetryDelayMs) {
    // Every retry would wait the maximum, however small: a receiver that is down would be hammered.
    throw new Error(
      `hirechat: "webhooks.minRetryDelayMs" (${merged.minRetryDelayMs}) must not be larger than ` +
        `"webhooks.maxRetryDelayMs" (${merged.maxRetryDelayMs}).`,
    );
  }
  positiveUpTo('webhooks.retryHours', merged.retryHours, WEBHOOK_LIMITS.retryHours);
  return merged;
}

/** See resolveWebhookOptions. */
export function resolveUnreadOptions(options: UnreadOptions): ResolvedUnreadOptions {
  const notifyAfterS = options.notifyAfterS ?? DEFAULT_UNREAD_NOTIFY_AFTER_S;
  positiveUpTo('unread.notifyAfterS', notifyAfterS, WEBHOOK_LIMITS.notifyAfterS);
  const checkIntervalMs =
    options.checkIntervalMs ?? Math.min(1_000, Math.max(10, Math.round(notifyAfterS * 100)));
  checkWholeNumberOption('unread.checkIntervalMs', checkIntervalMs, WEBHOOK_LIMITS.checkIntervalMs);
  return { notifyAfterS, checkIntervalMs };
}

/**
 * Why `url` cannot be a webhook URL, or null when it can: it must be an absolute http(s) URL
 * without a user name or password, which deliveries would silently leave out (undici's `request`
 * sends no credentials from a URL; WHATWG fetch refuses such a URL outright). The answer never
 * repeats the URL, which may hold secrets.
 */
export function webhookUrlProblem(url: unknown): string | null {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return 'is not an http(s) URL';
  }
  if (typeof url !== 'string' || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return 'is not an http(s) URL';
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'holds a user name or password, which deliveries never send; pass a token in the query or rely on the signature';
  }
  return null;
}

/**
 * How long a webhook secret's key may be, in bytes: the Standard Webhooks specification asks for
 * one "randomly generated, between 24 bytes (192 bits) and 64 bytes (512 bits)".
 */
export const WEBHOOK_SECRET_BYTES = { min: 24, max: 64 } as const;

/**
 * Whether the value is a `whsec_<base64>` secret that the standardwebhooks package takes, of a key
 * of {@link WEBHOOK_SECRET_BYTES} (24 to 64 bytes): a shorter one is guessable.
 */
export function isWebhookSecret(secret: unknown): secret is string {
  if (typeof secret !== 'string' || !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return false;
  const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
  if (bytes < WEBHOOK_SECRET_BYTES.min || bytes > WEBHOOK_SECRET_BYTES.max) return false;
  try {
    new Webhook(secret);
    return true;
  } catch {
    return false;
  }
}

/** A number above 0 (fractions allowed) and at most `max`. */
function positiveUpTo(name: string, value: unknown, max: number): void {
  if (typeof value !== 'number' || !(value > 0) || !(value <= max)) {
    throw new Error(`hirechat: "${name}" must be a number above 0 and at most ${max}, got ${String(value)}.`);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
