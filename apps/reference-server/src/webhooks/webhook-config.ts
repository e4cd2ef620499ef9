import {
  DEFAULT_UNREAD_NOTIFY_AFTER_S,
  DEFAULT_WEBHOOK_RETRY_HOURS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
} from '@hirechat/protocol';
import {
  isWebhookSecret,
  WEBHOOK_LIMITS,
  WEBHOOK_SECRET_BYTES,
  type WebhookOptions,
  webhookUrlProblem,
} from '@hirechat/server-kit';
import { z } from 'zod';
import { positiveDecimal, switchSetting, wholeNumber, withDefault } from '../env-values.js';

/** The webhook settings of the reference server (contract, "Webhooks"); null without WEBHOOK_URLS. */
export interface WebhookConfig {
  urls: string[];
  /** WEBHOOK_SECRET, `whsec_<base64>`. */
  secret: string;
  timeoutMs: number;
  retryHours: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  pollIntervalMs: number;
  /**
   * WEBHOOK_DELIVER (default on): whether the server process sends the queue itself. Off, it only
   * queues, and `npm run webhooks -- deliver` sends, in a process of its own.
   */
  deliver: boolean;
}

/** WEBHOOK_RETRY_MIN_MS and WEBHOOK_RETRY_MAX_MS when unset (the plugin's defaults). */
const DEFAULT_MIN_RETRY_DELAY_MS = 5_000;
const DEFAULT_MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/** Settings whose values may be echoed back in an error (none of them is secret). */
export const WEBHOOK_ECHOABLE = [
  'WEBHOOK_TIMEOUT_MS',
  'WEBHOOK_RETRY_HOURS',
  'WEBHOOK_RETRY_MIN_MS',
  'WEBHOOK_RETRY_MAX_MS',
  'WEBHOOK_POLL_MS',
  'WEBHOOK_DELIVER',
  'UNREAD_NOTIFY_AFTER_S',
];

/**
 * WEBHOOK_URLS: absolute http(s) URLs without user or password, comma-separated. Values are not
 * repeated: a URL may hold a token.
 */
const urlsSchema = z.string().transform((value, ctx): string[] => {
  const urls: string[] = [];
  for (const [index, entry] of value.split(',').entries()) {
    const candidate = entry.trim();
    if (candidate === '') continue;
    const problem = webhookUrlProblem(candidate);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ${problem}` });
      continue;
    }
    if (!urls.includes(candidate)) urls.push(candidate);
  }
  if (urls.length === 0)
    ctx.addIssue({ code: 'custom', message: 'lists no URLs; unset it to send no webhooks' });
  return urls;
});

/** The environment variables of webhooks, for the reference server's environment schema. */
export const WEBHOOK_ENV = {
  WEBHOOK_URLS: withDefault(urlsSchema),
  WEBHOOK_SECRET: withDefault(
    z
      .string()
      .trim()
      .refine(
        isWebhookSecret,
        `must be a Standard Webhooks secret: whsec_ and the base64 of ${WEBHOOK_SECRET_BYTES.min} to ${WEBHOOK_SECRET_BYTES.max} random bytes`,
      ),
  ),
  // The plugin's own limits (WEBHOOK_LIMITS says why each).
  WEBHOOK_TIMEOUT_MS: withDefault(wholeNumber(1, WEBHOOK_LIMITS.timeoutMs, 'milliseconds', '10 minutes')),
  WEBHOOK_RETRY_HOURS: withDefault(positiveDecimal(WEBHOOK_LIMITS.retryHours, 'hours', '30 days')),
  WEBHOOK_RETRY_MIN_MS: withDefault(wholeNumber(1, WEBHOOK_LIMITS.minRetryDelayMs, 'milliseconds', 'a day')),
  WEBHOOK_RETRY_MAX_MS: withDefault(wholeNumber(1, WEBHOOK_LIMITS.maxRetryDelayMs, 'milliseconds', '7 days')),
  WEBHOOK_POLL_MS: withDefault(wholeNumber(1, WEBHOOK_LIMITS.pollIntervalMs, 'milliseconds', 'an hour')),
  WEBHOOK_DELIVER: withDefault(switchSetting),
  UNREAD_NOTIFY_AFTER_S: withDefault(positiveDecimal(WEBHOOK_LIMITS.notifyAfterS, 'seconds', 'a week')),
};

type WebhookEnv = { [K in keyof typeof WEBHOOK_ENV]?: z.output<(typeof WEBHOOK_ENV)[K]> };

/** Problems across webhook variables, beyond each one's own. */
export function webhookIssues(vars: WebhookEnv): Array<{ variable: string; message: string }> {
  const issues: Array<{ variable: string; message: string }> = [];
  if (vars.WEBHOOK_URLS !== undefined && vars.WEBHOOK_SECRET === undefined) {
    issues.push({
      variable: 'WEBHOOK_SECRET',
      message: 'is required with WEBHOOK_URLS: the key the receivers verify signatures with (whsec_<base64>)',
    });
  }
  const min = vars.WEBHOOK_RETRY_MIN_MS ?? DEFAULT_MIN_RETRY_DELAY_MS;
  const max = vars.WEBHOOK_RETRY_MAX_MS ?? DEFAULT_MAX_RETRY_DELAY_MS;
  if (min > max) {
    // Every retry would wait the maximum: WEBHOOK_RETRY_MAX_MS=10 alone retries every 10 ms.
    issues.push({
      variable: 'WEBHOOK_RETRY_MIN_MS, WEBHOOK_RETRY_MAX_MS',
      message: `WEBHOOK_RETRY_MIN_MS (${min}) must not be larger than WEBHOOK_RETRY_MAX_MS (${max})`,
    });
  }
  return issues;
}

/** The webhook settings, defaults filled in; null when WEBHOOK_URLS is unset. */
export function webhookConfig(vars: WebhookEnv): WebhookConfig | null {
  if (vars.WEBHOOK_URLS === undefined || vars.WEBHOOK_SECRET === undefined) return null;
  return {
    urls: vars.WEBHOOK_URLS,
    secret: vars.WEBHOOK_SECRET,
    timeoutMs: vars.WEBHOOK_TIMEOUT_MS ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    retryHours: vars.WEBHOOK_RETRY_HOURS ?? DEFAULT_WEBHOOK_RETRY_HOURS,
    minRetryDelayMs: vars.WEBHOOK_RETRY_MIN_MS ?? DEFAULT_MIN_RETRY_DELAY_MS,
    maxRetryDelayMs: vars.WEBHOOK_RETRY_MAX_MS ?? DEFAULT_MAX_RETRY_DELAY_MS,
    pollIntervalMs: vars.WEBHOOK_POLL_MS ?? 1_000,
    deliver: vars.WEBHOOK_DELIVER ?? true,
  };
}

/** UNREAD_NOTIFY_AFTER_S, default 300. */
export function unreadNotifyAfterS(vars: WebhookEnv): number {
  return vars.UNREAD_NOTIFY_AFTER_S ?? DEFAULT_UNREAD_NOTIFY_AFTER_S;
}

/** The plugin's `webhooks` option from the settings. */
export function webhookOptions(config: WebhookConfig): WebhookOptions {
  return { ...config };
}
