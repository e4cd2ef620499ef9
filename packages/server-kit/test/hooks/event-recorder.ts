import { EventEmitter, once } from 'node:events';
import { type WebhookEvent, WebhookEventSchema } from '@hirechat/protocol';
import { z } from 'zod';

/** Webhook events exactly as the protocol shapes them: no key it does not name. */
const ExactEventSchema = WebhookEventSchema;

/**
 * An `onEvent` hook that keeps what it is given, checked against the protocol's schema, and lets a
 * test wait for an event that has not come yet.
 */
export class EventRecorder {
  readonly events: WebhookEvent[] = [];
  /** Events that did not match the protocol, to assert empty. */
  readonly invalid: unknown[] = [];
  private readonly arrivals = new EventEmitter();

  readonly hook = (event: WebhookEvent): void => {
    const parsed = ExactEventSchema.safeParse(event);
    if (!parsed.success) this.invalid.push({ event, error: z.prettifyError(parsed.error) });
    this.events.push(event);
    this.arrivals.emit('event');
  };

  /** Resolves with the first recorded event that matches, waiting for it if need be. */
  async waitFor(match: (event: WebhookEvent) => boolean): Promise<WebhookEvent> {
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      await once(this.arrivals, 'event');
    }
  }

  /** Resolves once `count` events are recorded. */
  async waitForCount(count: number): Promise<WebhookEvent[]> {
    while (this.events.length < count) await once(this.arrivals, 'event');
    return this.events;
  }
}
