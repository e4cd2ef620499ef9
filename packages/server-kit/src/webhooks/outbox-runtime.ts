import type { MediaUrls } from '../domain/media-urls.js';
import type { PresenceChangeListener } from '../domain/presence/presence.js';
import type { DomainEventBus } from '../hooks/domain-event-bus.js';
import type { Logger } from '../ports/logger.js';
import type { PresenceState } from '../ports/presence-state.js';
import type { DeliveryLoop } from './delivery-loop.js';
import { WebhookEndpoints } from './endpoints/webhook-endpoints.js';
import type { FailedDelivery, Outbox, OutboxStorage, RetryOutcome } from './outbox.js';
import { UnreadNotifier } from './unread/unread-notifier.js';
import { deliveryLoopOf } from './webhook-deliverer.js';
import type { ResolvedUnreadOptions, ResolvedWebhookOptions } from './webhook-options.js';

export interface OutboxRuntimeOptions {
  storage: OutboxStorage;
  /** Null: no webhooks (only `message.unread` for the `onEvent` hook). */
  webhooks: ResolvedWebhookOptions | null;
  /** Null: no `message.unread`. */
  unread: ResolvedUnreadOptions | null;
  events: DomainEventBus;
  presence: PresenceState;
  media: MediaUrls;
  logger: Logger;
}

/** The failed deliveries of the webhook queue, for an admin screen or a script. */
export interface WebhookAdmin {
  /** Deliveries that ran out of retries, oldest first. */
  failed(): Promise<FailedDelivery[]>;
  /**
   * Sends these failed deliveries (or all) again, with a fresh retry period, to the configured URL
   * of their endpoint (a rotated token's new URL); those of an endpoint no longer configured stay
   * failed (`notConfigured`). This process's breaker stops pausing the URLs queued for, so they go
   * within `pollIntervalMs`; other processes probe a URL they found down within a minute.
   */
  retry(ids: readonly number[] | 'all'): Promise<Omit<RetryOutcome, 'urls'>>;
}

/**
 * What runs beside the chat when webhooks or `message.unread` are on: the storage's outbox, opened
 * so that every write queues its events; the delivery loop, woken by this process's commits; the
 * `message.unread` notifier; and the last-seen times it needs, kept from presence changes.
 */
export class OutboxRuntime {
  readonly outbox: Outbox;
  private readonly deliveries: DeliveryLoop | null = null;
  private readonly notifier: UnreadNotifier | null = null;
  /** Users this process last saw come online (and not go), for their last-seen time at a stop. */
  private readonly online = new Set<string>();
  private readonly writes = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: OutboxRuntimeOptions) {
    const { storage, webhooks, unread, events, presence, media, logger } = options;
    this.outbox = storage.openOutbox({
      urls: webhooks?.urls ?? [],
      retryForMs: Math.round((webhooks?.retryHours ?? 0) * 60 * 60 * 1000),
      unread: unread !== null,
    });
    if (webhooks?.deliver && webhooks.urls.length > 0) {
      const loop = deliveryLoopOf(this.outbox.deliveries, webhooks, media, logger);
      events.onCommitted(() => loop.committed());
      this.deliveries = loop;
    }
    if (unread) {
      this.notifier = new UnreadNotifier({
        ledger: this.outbox.unread,
        presence,
        media,
        events,
        logger,
        notifyAfterMs: unread.notifyAfterS * 1000,
        checkIntervalMs: unread.checkIntervalMs,
      });
    }
  }

  /** Keeps each user's last-seen time, for `message.unread`; a failure is logged. */
  readonly onPresenceChange: PresenceChangeListener = (users, online) => {
    if (!this.notifier || this.stopped) return;
    for (const user of users) {
      if (online) this.online.add(user);
      else this.online.delete(user);
    }
    this.keepLastSeen(users, online);
  };

  private keepLastSeen(users: readonly string[], online: boolean): void {
    const write = this.outbox.unread.presenceChanged(users, online, Date.now()).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'last-seen time not kept');
    });
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** The queue's failed deliveries; null without webhooks. */
  get admin(): WebhookAdmin | null {
    const { webhooks } = this.options;
    if (!webhooks) return null;
    const { deliveries } = this.outbox;
    const retryForMs = Math.round(webhooks.retryHours * 60 * 60 * 1000);
    const endpoints = new WebhookEndpoints(webhooks.urls);
    return {
      failed: () => deliveries.listFailed(),
      retry: async (ids) => {
        const { urls, ...counts } = await deliveries.retry(ids, endpoints, retryForMs);
        this.deliveries?.resume(urls);
        return counts;
      },
    };
  }

  /** Starts delivering and checking; call once the storage is migrated, before serving. */
  async start(): Promise<void> {
    await this.notifier?.start();
    this.deliveries?.start();
  }

  /**
   * Stops both; resolves once deliveries in flight have had their outcome recorded, and the users
   * this process saw online have been seen last now (their sockets close with it).
   */
  async stop(): Promise<void> {
    if (this.notifier && !this.stopped) {
      this.stopped = true;
      if (this.online.size > 0) this.keepLastSeen([...this.online], false);
    }
    await Promise.all([this.deliveries?.stop(), this.notifier?.stop(), ...this.writes]);
  }
}
