import { MediaUrls } from '../domain/media-urls.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import { DeliveryLoop } from './delivery-loop.js';
import type { DeliveryQueue } from './outbox.js';
import {
  type ResolvedWebhookOptions,
  resolveWebhookOptions,
  type WebhookOptions,
} from './webhook-options.js';
import { WebhookSender } from './webhook-sender.js';

/** How much longer than an attempt's timeout a claimed delivery stays this process's own. */
const LEASE_MARGIN_MS = 5_000;

/**
 * The delivery loop of `webhooks`: sends what `queue` holds for its URLs, signing Messages' file
 * URLs with `media`. The one way a loop is made, in a server (OutboxRuntime) or on its own
 * (WebhookDeliverer).
 */
export function deliveryLoopOf(
  queue: DeliveryQueue,
  webhooks: ResolvedWebhookOptions,
  media: MediaUrls,
  logger: Logger,
): DeliveryLoop {
  return new DeliveryLoop({
    queue,
    sender: new WebhookSender({ secret: webhooks.secret, timeoutMs: webhooks.timeoutMs, media }),
    urls: webhooks.urls,
    concurrency: webhooks.concurrency,
    pollIntervalMs: webhooks.pollIntervalMs,
    leaseMs: webhooks.timeoutMs + LEASE_MARGIN_MS,
    schedule: { minDelayMs: webhooks.minRetryDelayMs, maxDelayMs: webhooks.maxRetryDelayMs },
    logger,
  });
}

export interface WebhookDelivererOptions {
  /**
   * The queue the servers write (for KnexChatStorage: `new KnexDeliveryQueue(knex)` over the same
   * database, migrated).
   */
  queue: DeliveryQueue;
  /** The servers' own `webhooks` option (`deliver` is ignored: delivering is what this does). */
  webhooks: WebhookOptions;
  /**
   * The servers' `mediaUrlSecret` (at least 32 bytes): the `file_url` of a Message is signed as it
   * leaves, and must be one the servers accept.
   */
  mediaUrlSecret: string | Uint8Array;
  /** The servers' `mediaUrlTtlSeconds`. Default 3600. */
  mediaUrlTtlSeconds?: number;
  logger?: Logger;
}

/**
 * Webhook delivery on its own, for a process of its own: the servers register the plugin with
 * `webhooks.deliver: false` (they queue every event in their writes' transactions and send
 * nothing), and this sends the queue, so that sending never competes with requests for a CPU.
 * It reads the queue every `pollIntervalMs` (it does not see the servers' commits), and shares it
 * safely with other deliverers and with servers that deliver (see DeliveryQueue). `message.unread`
 * is not made here: it needs presence, which the servers keep.
 *
 * @throws Error at construction naming an option that is wrong.
 */
export class WebhookDeliverer {
  private readonly loop: DeliveryLoop;

  constructor(options: WebhookDelivererOptions) {
    const webhooks = resolveWebhookOptions(options.webhooks);
    if (webhooks.urls.length === 0) throw new Error('hirechat: "webhooks.urls" lists no URL to deliver to.');
    const media = new MediaUrls({
      secret: options.mediaUrlSecret,
      ...(options.mediaUrlTtlSeconds !== undefined && { ttlSeconds: options.mediaUrlTtlSeconds }),
    });
    this.loop = deliveryLoopOf(options.queue, webhooks, media, options.logger ?? silentLogger);
  }

  /** Starts delivering what is due now, and then every poll interval. */
  start(): void {
    this.loop.start();
  }

  /**
   * Stops taking deliveries; resolves once those in flight have had their outcome recorded (each
   * within `timeoutMs`). What is still queued waits for the next start, of this or any process.
   */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
