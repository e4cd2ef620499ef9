import { redactUrl } from '../logging/redact-url.js';
import type { Logger } from '../ports/logger.js';
import { WebhookEndpoints } from './endpoints/webhook-endpoints.js';
import type { DeliveryQueue, QueuedDelivery } from './outbox.js';
import { type RetrySchedule, retryDelay } from './retry-schedule.js';
import type { DeliveryOutcome } from './webhook-sender.js';

/** What sends one delivery (WebhookSender): never throws; `close` once nothing is in flight. */
export interface DeliverySender {
  send(delivery: QueuedDelivery): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

export interface DeliveryLoopOptions {
  queue: DeliveryQueue;
  sender: DeliverySender;
  /** The URLs this process delivers to. */
  urls: readonly string[];
  /** Deliveries in flight at once. */
  concurrency: number;
  /** How often the queue is looked at without being told of new events (retries, other processes). */
  pollIntervalMs: number;
  /** How long a claimed delivery is this process's alone: longer than an attempt may take. */
  leaseMs: number;
  schedule: RetrySchedule;
  /**
   * The longest a URL found down is left alone, in ms, however long its backoff (`schedule`) has
   * grown: then one due delivery probes it. Default MAX_PAUSE_MS.
   */
  maxPauseMs?: number;
  logger: Logger;
}

/**
 * The longest pause of the circuit breaker by default, in ms. A probe of a URL that is down is one
 * request a minute per process, which costs the receiver nothing; a longer pause (the backoff's
 * maximum, an hour by default) would hold back for as long what piled up while it was down, and
 * what `npm run webhooks -- retry` queued from another process, once it is back.
 */
export const MAX_PAUSE_MS = 60_000;

/** How often deliveries whose retries ran out unattempted (their URL was down) are marked failed. */
const EXPIRE_EVERY_MS = 60_000;
/**
 * How long commits are gathered before the queue is read for them, in ms: under load one statement
 * then serves many events, rather than one each.
 */
const GATHER_MS = 5;
/**
 * How long delivered deliveries are gathered before one statement takes them off the queue, in ms.
 * Nothing waits for it (their slots are free at once), and a process that dies meanwhile only sends
 * them again (at least once), so it may be long enough to take a busy second's in few statements.
 */
const REMOVE_GATHER_MS = 50;
/**
 * With fewer slots free than half the concurrency, how long the queue is left before it is read
 * for them, in ms. Under a backlog every delivery that ends would otherwise read the queue for the
 * one slot it freed: a statement per delivery (measured: 9,559 claims for 9,564 deliveries), where
 * now one statement claims half the slots; the wait only matters to receivers slower than it.
 */
const REFILL_MS = 10;

/** A URL whose last attempts failed: left alone until `until`, then tried with one delivery. */
interface Outage {
  failures: number;
  until: number;
  probing: boolean;
}

/**
 * Delivers the queue, apart from the requests that fill it: nothing on a request's path waits for
 * it. It takes due deliveries whenever it is told of new events (`wake`) and every poll interval,
 * keeps up to `concurrency` in flight, and records how each went: delivered, due again after a
 * backoff, or failed once its retries are over.
 *
 * A URL that fails is left alone for a backoff of its own, at most `maxPauseMs` (a circuit
 * breaker, per process): then one due delivery probes it, and only when that one succeeds are the
 * others sent. So a receiver that is down costs one attempt per backoff, not one per event, however
 * fast events come; they wait in the queue, due, and go out once it is back.
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
  private readonly outages = new Map<string, Outage>();
  private expiredAt = 0;
  private soon: NodeJS.Timeout | undefined;
  private refill: NodeJS.Timeout | undefined;
  /** Delivered, to be taken off the queue together; and the write doing so, if any. */
  private done: QueuedDelivery[] = [];
  private removing: Promise<void> | null = null;
  private readonly endpoints: WebhookEndpoints;

  constructor(private readonly options: DeliveryLoopOptions) {
    this.endpoints = new WebhookEndpoints(options.urls);
  }

  /**
   * Settles the queue with the URLs configured now (DeliveryQueue.settle: a rotated token's
   * deliveries go to the new URL, those of a URL no longer configured fail, with a warning), then
   * delivers what is due, and again every poll interval.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.timer.unref();
    this.wakes++;
    // The first read waits for it (read() does not start while `reading` is set); stop() too.
    this.reading = this.settle().finally(() => {
      this.reading = null;
      this.read();
    });
  }

  /**
   * Ends the breaker's pause of these URLs (deliveries to them were queued again by hand): one due
   * delivery probes each at once, and the rest follow if it is taken. Returns at once.
   */
  resume(urls: readonly string[]): void {
    for (const url of urls) {
      const outage = this.outages.get(url);
      if (outage && !outage.probing) outage.until = 0;
    }
    this.wake();
  }

  /** DeliveryQueue.settle, logged; a failure is logged and leaves the queue to the next start. */
  private async settle(): Promise<void> {
    const { queue, logger } = this.options;
    try {
      const { retargeted, unconfigured } = await queue.settle(this.endpoints);
      for (const { url, count } of retargeted) {
        logger.info({ url: redactUrl(url), count }, 'queued webhooks go to their URL as configured now');
      }
      for (const { url, count } of unconfigured) {
        logger.warn(
          { url: redactUrl(url), count },
          'webhooks failed: their URL is no longer in the configuration',
        );
      }
    } catch (error) {
      logger.warn({ err: error }, 'webhook queue not settled with the configured URLs');
    }
  }

  /** New deliveries may be due: look now. Returns at once. */
  wake(): void {
    this.wakes++;
    this.read();
  }

  /** Events were committed: look in a moment, with those committed meanwhile. Returns at once. */
  committed(): void {
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      this.wake();
    }, GATHER_MS);
  }

  /** Stops taking deliveries; resolves once those in flight are recorded. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    clearTimeout(this.refill);
    this.soon = undefined;
    this.refill = undefined;
    await this.reading;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    while (this.done.length > 0 || this.removing) await this.removeDone();
    await this.options.sender.close();
  }

  /** Takes delivered deliveries off the queue, gathered; a failure leaves them to their lease. */
  private removeDone(): Promise<void> {
    this.removing ??= this.removeGathered().finally(() => {
      this.removing = null;
      // Delivered while the last removal was ending.
      if (this.done.length > 0) void this.removeDone();
    });
    return this.removing;
  }

  private async removeGathered(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, REMOVE_GATHER_MS));
    while (this.done.length > 0) {
      const batch = this.done.splice(0);
      await this.options.queue.delivered(batch).catch((error: unknown) => {
        // Their leases run out and they are sent again: at least once.
        this.options.logger.warn(
          { err: error, count: batch.length },
          'delivered webhooks not taken off the queue',
        );
      });
    }
  }

  /**
   * Reads the queue unless a read is under way, there is no room, or nothing asked for one; with
   * fewer than half the slots free, only after REFILL_MS (`due`: that wait is over).
   */
  private read(due = false): void {
    if (!this.running || this.reading || this.answered >= this.wakes) return;
    const { concurrency } = this.options;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return;
    if (!due && free < Math.ceil(concurrency / 2)) {
      this.refill ??= setTimeout(() => {
        this.refill = undefined;
        this.read(true);
      }, REFILL_MS);
      return;
    }
    clearTimeout(this.refill);
    this.refill = undefined;
    this.reading = this.take().finally(() => {
      this.reading = null;
      // Woken while it read: read again.
      this.read();
    });
  }

  private async take(): Promise<void> {
    const { concurrency, logger } = this.options;
    try {
      while (this.running && this.answered < this.wakes) {
        const free = concurrency - this.inFlight.size;
        // No room: a delivery that ends reads again (see below).
        if (free <= 0) return;
        const asked = this.wakes;
        const claimed = await this.claim(free);
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

  /** Up to `free` due deliveries: to URLs that answer, and one to each down URL whose pause is over. */
  private async claim(free: number): Promise<QueuedDelivery[]> {
    const { queue, urls, leaseMs } = this.options;
    const now = Date.now();
    await this.expire(now);
    const up = urls.filter((url) => !this.outages.has(url));
    const claimed = up.length > 0 ? await queue.claim(up, free, leaseMs) : [];
    for (const [url, outage] of this.outages) {
      if (claimed.length >= free) break;
      if (outage.probing || now < outage.until) continue;
      const probe = await queue.claim([url], 1, leaseMs);
      if (probe.length > 0) outage.probing = true;
      else this.outages.delete(url);
      claimed.push(...probe);
    }
    return claimed;
  }

  /** Now and then, deliveries whose retries ran out while their URL was left alone become failed. */
  private async expire(now: number): Promise<void> {
    if (this.outages.size === 0 || now - this.expiredAt < EXPIRE_EVERY_MS) return;
    this.expiredAt = now;
    const count = await this.options.queue.expire([...this.outages.keys()]);
    if (count > 0) this.options.logger.error({ count }, 'webhooks not delivered; retries are over');
  }

  /** How the URL answered: an outage ends with a success, and grows with each failure. */
  private answeredBy(url: string, ok: boolean): void {
    if (ok) {
      // Back: what waited for it goes now.
      if (this.outages.delete(url)) this.wake();
      return;
    }
    let outage = this.outages.get(url);
    if (!outage) {
      outage = { failures: 0, until: 0, probing: false };
      this.outages.set(url, outage);
    } else if (!outage.probing) {
      // A delivery that was in flight when the outage began: the outage is counted once.
      return;
    }
    outage.failures++;
    outage.probing = false;
    const { schedule, maxPauseMs = MAX_PAUSE_MS } = this.options;
    outage.until = Date.now() + Math.min(retryDelay(outage.failures, schedule), maxPauseMs);
  }

  private async deliver(delivery: QueuedDelivery): Promise<void> {
    const { queue, sender, schedule, logger } = this.options;
    const outcome = await sender.send(delivery);
    this.answeredBy(delivery.url, outcome.ok);
    // The URL may carry a token in its query: the log gets it without (README, "Webhooks").
    const where = { url: redactUrl(delivery.url), eventId: delivery.eventId, attempt: delivery.attempt };
    try {
      if (outcome.ok) {
        // Taken off the queue with others in a moment; its slot is free now (stop waits for it).
        this.done.push(delivery);
        void this.removeDone();
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
