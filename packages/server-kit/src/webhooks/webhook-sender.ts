import { type WebhookEvent, WebhookHeaders } from '@hirechat/protocol';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { MediaUrls } from '../domain/media-urls.js';
import { redactUrlsIn } from '../logging/redact-url.js';
import type { QueuedDelivery } from './outbox.js';

/** How an attempt went: delivered, or why not. */
export type DeliveryOutcome = { ok: true } | { ok: false; error: string };

export interface WebhookSenderOptions {
  /** `whsec_<base64>`: the key of the signatures. */
  secret: string;
  /** How long an attempt may take, headers included, in ms. */
  timeoutMs: number;
  media: MediaUrls;
}

const USER_AGENT = 'hirechat-webhooks/1';

/**
 * Sends deliveries: the body `{"type", "timestamp", "data"}` (its Messages signed now, as for any
 * event that leaves the server), signed as the Standard Webhooks specification says by the
 * `standardwebhooks` package, POSTed with undici's `request` over connections kept alive between
 * deliveries. A 2xx answer is delivered; any other answer (redirects are not followed), no answer
 * within the timeout, or no connection is not. The error of an outcome never holds a URL's query
 * or credentials (see redactUrl). `send` never throws.
 *
 * Why not `fetch`: measured on this machine (bench/webhooks/results.md), its WHATWG layers cost
 * about four times the CPU of undici's `request` per delivery (~160 µs against ~40 µs).
 */
export class WebhookSender {
  private readonly signer: Webhook;
  /** Keeps connections to each receiver open between deliveries. */
  private agent = new Agent();

  constructor(private readonly options: WebhookSenderOptions) {
    this.signer = new Webhook(options.secret);
  }

  /**
   * Closes the kept connections, once no delivery is in flight. Sending afterwards (a loop started
   * again) opens new ones; closing twice is closing once.
   */
  close(): Promise<void> {
    const kept = this.agent;
    this.agent = new Agent();
    return kept.close();
  }

  async send(delivery: QueuedDelivery): Promise<DeliveryOutcome> {
    let body: string;
    try {
      const event = JSON.parse(delivery.payload) as WebhookEvent;
      body = JSON.stringify({
        type: event.type,
        timestamp: event.timestamp,
        data: this.options.media.signEvent(event.data),
      });
    } catch (error) {
      return { ok: false, error: `payload unreadable: ${(error as Error).message}` };
    }
    const sentAt = new Date();
    try {
      const response = await request(delivery.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [WebhookHeaders.id]: delivery.eventId,
          [WebhookHeaders.timestamp]: String(Math.floor(sentAt.getTime() / 1000)),
          [WebhookHeaders.signature]: this.signer.sign(delivery.eventId, sentAt, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // The answer's body is not needed: reading it to its end keeps the connection for the next
      // delivery (a large body is dropped with its connection instead).
      await response.body.dump().catch(() => {});
      const { statusCode } = response;
      return statusCode >= 200 && statusCode < 300
        ? { ok: true }
        : { ok: false, error: `answered ${statusCode}` };
    } catch (error) {
      return { ok: false, error: this.describe(error) };
    }
  }

  private describe(error: unknown): string {
    const { name, message, code } = error as { name?: string; message?: string; code?: string };
    if (name === 'TimeoutError') return `no answer within ${this.options.timeoutMs} ms`;
    // Stored as the delivery's last error and logged: an error may repeat the URL, token and all.
    return redactUrlsIn(code ? `${message ?? 'failed'} (${code})` : (message ?? String(error)));
  }
}
