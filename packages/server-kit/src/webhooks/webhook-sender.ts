import { type WebhookEvent, WebhookHeaders } from '@hirechat/protocol';
import { Webhook } from 'standardwebhooks';
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
 * Sends one delivery: the body `{"type", "timestamp", "data"}` (its Messages signed now, as for any
 * event that leaves the server), signed as the Standard Webhooks specification says by the
 * `standardwebhooks` package, POSTed with Node's fetch. A 2xx answer is delivered; any other
 * answer (redirects are not followed), no answer within the timeout, or no connection is not.
 * The error of an outcome never holds a URL's query or credentials (see redactUrl). Never throws.
 */
export class WebhookSender {
  private readonly signer: Webhook;

  constructor(private readonly options: WebhookSenderOptions) {
    this.signer = new Webhook(options.secret);
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
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [WebhookHeaders.id]: delivery.eventId,
          [WebhookHeaders.timestamp]: String(Math.floor(sentAt.getTime() / 1000)),
          [WebhookHeaders.signature]: this.signer.sign(delivery.eventId, sentAt, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // The answer's body is not needed: dropping it frees the connection for the next delivery.
      await response.body?.cancel().catch(() => {});
      return response.ok ? { ok: true } : { ok: false, error: `answered ${response.status}` };
    } catch (error) {
      return { ok: false, error: this.describe(error) };
    }
  }

  private describe(error: unknown): string {
    const { name, message, cause } = error as { name?: string; message?: string; cause?: { code?: string } };
    if (name === 'TimeoutError') return `no answer within ${this.options.timeoutMs} ms`;
    const code = cause?.code;
    // Stored as the delivery's last error and logged: fetch repeats the URL it refused, token and all.
    return redactUrlsIn(code ? `${message ?? 'failed'} (${code})` : (message ?? String(error)));
  }
}
