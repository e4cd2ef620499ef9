import type { Logger } from '../ports/logger.js';
import type { DeliveryQueue, QueuedDelivery } from './outbox.js';
import { type RetrySchedule, retryDelay } from './retry-schedule.js';
import type { DeliveryOutcome } from './webhook-sender.js';

export interface DeliveryLoopOptions {
  queue: DeliveryQueue;
  send(delivery: QueuedDelivery): Promise<DeliveryOutcome>;
  /** The URLs this process delivers to. */
  urls: readonly string[];
  /** Deliveries in flight at once. */
  concurrency: number;
  /** How often the queue is looked at without being told of new events (retries, other processes). */
  pollIntervalMs: number;
  /** How long a claimed delivery is this process's alone: longer than an attempt may take. */
  leaseMs: number;
  schedule: RetrySchedule;
  logger: Logger;
}

/**
 * Delivers the queue, apart from the requests that fill it: nothing on a request's path waits for
 * it. It takes due deliveries whenever it is told of new events (`wake`) and every poll interval,
 * keeps up to `concurrency` in flight, and records how each went: delivered, due again after a
 * backoff, or failed once its retries are over.
 */
export class DeliveryLoop {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** The read of the queue under way, if any. */
  private reading: Promise<void> | null = null;
  /** Wakes asked for so far, and how many of them the reads so far have answered. */
  private wakes = 0;
  private answered = 0;

  constructor(private readonly options: DeliveryLoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /** New deliveries may be due: look now. Returns at once. */
  wake(): void {
    this.wakes++;
    this.read();
  }

  /** Stops taking deliveries; resolves once those in flight are recorded. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    await this.reading;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Reads the queue unless a read is under way, there is no room, or nothing asked for one. */
  private read(): void {
    if (!this.running || this.reading || this.answered >= this.wakes) return;
    if (this.inFlight.size >= this.options.concurrency) return;
    this.reading = this.take().finally(() => {
      this.reading = null;
      // Woken while it read: read again.
      this.read();
    });
  }

  private async take(): Promise<void> {
    const { queue, urls, concurrency, leaseMs, logger } = this.options;
    try {
      while (this.running && this.answered < this.wakes) {
        const free = concurrency - this.inFlight.size;
        // No room: a delivery that ends reads again (see below).
        if (free <= 0) return;
        const asked = this.wakes;
        const claimed = await queue.claim(urls, free, leaseMs);
        // A full batch may have left more behind it: the wake stays unanswered.
        this.answered = claimed.length === free ? asked - 1 : asked;
        for (const delivery of claimed) {
          const attempt = this.deliver(delivery).finally(() => {
            this.inFlight.delete(attempt);
            this.read();
          });
          this.inFlight.add(attempt);
        }
      }
    } catch (error) {
      // The next poll or commit reads again.
      this.answered = this.wakes;
      logger.warn({ err: error }, 'webhook deliveries not read');
    }
  }

  private async deliver(delivery: QueuedDelivery): Promise<void> {
    const { queue, send, schedule, logger } = this.options;
    const outcome = await send(delivery);
    const where = { url: delivery.url, eventId: delivery.eventId, attempt: delivery.attempt };
    try {
      if (outcome.ok) {
        await queue.delivered(delivery);
        return;
      }
      const next = Date.now() + retryDelay(delivery.attempt, schedule);
      if (next > delivery.retryUntil) {
        await queue.failed(delivery, outcome.error);
        logger.error({ ...where, error: outcome.error }, 'webhook not delivered; retries are over');
      } else {
        await queue.retryAt(delivery, next, outcome.error);
        logger.warn(
          { ...where, error: outcome.error, retryInMs: next - Date.now() },
          'webhook not delivered',
        );
      }
    } catch (error) {
      // Its lease runs out and it is taken again: at least once.
      logger.warn({ err: error, ...where }, 'webhook outcome not recorded');
    }
  }
}
