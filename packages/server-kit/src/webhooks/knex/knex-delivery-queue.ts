import type { Knex } from 'knex';
import { isSqlite } from '../../storage/sqlite.js';
import type { WebhookEndpoints } from '../endpoints/webhook-endpoints.js';
import {
  type DeliveryQueue,
  type FailedDelivery,
  NOT_CONFIGURED_ERROR,
  type QueuedDelivery,
  type RetryOutcome,
  type SettledDeliveries,
} from '../outbox.js';

interface DeliveryRow {
  id: number | string;
  event_id: string;
  url: string;
  event_type: string;
  payload: string;
  created_at: number | string;
  retry_until: number | string;
  attempts: number | string;
  last_error: string | null;
}

/** How much of an error is kept: enough to tell what went wrong, never a whole HTML page. */
const MAX_ERROR_LENGTH = 500;

/**
 * The delivery queue over knex (table `webhook_deliveries`, migration 006), on SQLite and
 * PostgreSQL. A claim moves the rows' `next_attempt_at` to the end of the claimer's lease in one
 * statement; on PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so that processes
 * claiming at once take different rows without waiting for each other. SQLite has one writer at a
 * time, so its claim is atomic as it is.
 */
export class KnexDeliveryQueue implements DeliveryQueue {
  constructor(private readonly knex: Knex) {}

  async claim(urls: readonly string[], limit: number, leaseMs: number): Promise<QueuedDelivery[]> {
    if (urls.length === 0 || limit <= 0) return [];
    const now = Date.now();
    const due = this.knex('webhook_deliveries')
      .select('id')
      .where('status', 'pending')
      .where('next_attempt_at', '<=', now)
      .whereIn('url', [...urls])
      .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
      .limit(limit);
    if (!isSqlite(this.knex)) due.forUpdate().skipLocked();
    const rows: DeliveryRow[] = await this.knex('webhook_deliveries')
      .whereIn('id', due)
      .update({ next_attempt_at: now + leaseMs, attempts: this.knex.raw('?? + 1', ['attempts']) })
      .returning(['id', 'event_id', 'url', 'payload', 'attempts', 'retry_until']);
    return rows
      .map((row) => ({
        id: Number(row.id),
        eventId: row.event_id,
        url: row.url,
        payload: row.payload,
        attempt: Number(row.attempts),
        retryUntil: Number(row.retry_until),
      }))
      .sort((a, b) => a.id - b.id);
  }

  async delivered(deliveries: readonly QueuedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.knex('webhook_deliveries')
      .whereIn(
        'id',
        deliveries.map((delivery) => delivery.id),
      )
      .delete();
  }

  async retryAt(delivery: QueuedDelivery, at: number, error: string): Promise<void> {
    await this.mine(delivery).update({ next_attempt_at: at, last_error: error.slice(0, MAX_ERROR_LENGTH) });
  }

  async failed(delivery: QueuedDelivery, error: string): Promise<void> {
    await this.mine(delivery).update({ status: 'failed', last_error: error.slice(0, MAX_ERROR_LENGTH) });
  }

  async expire(urls: readonly string[]): Promise<number> {
    if (urls.length === 0) return 0;
    return (
      this.knex('webhook_deliveries')
        .where('status', 'pending')
        .whereIn('url', [...urls])
        .where('retry_until', '<', Date.now())
        // Not one in flight: its attempt decides.
        .where('next_attempt_at', '<=', Date.now())
        .update({ status: 'failed', last_error: 'retries are over: the receiver was down' })
    );
  }

  async listFailed(): Promise<FailedDelivery[]> {
    const rows: DeliveryRow[] = await this.knex('webhook_deliveries')
      .select('id', 'event_id', 'url', 'event_type', 'attempts', 'created_at', 'last_error')
      .where('status', 'failed')
      .orderBy('id');
    return rows.map((row) => ({
      id: Number(row.id),
      eventId: row.event_id,
      url: row.url,
      type: row.event_type,
      attempts: Number(row.attempts),
      queuedAt: Number(row.created_at),
      lastError: row.last_error,
    }));
  }

  async retry(
    ids: readonly number[] | 'all',
    endpoints: WebhookEndpoints,
    retryForMs: number,
  ): Promise<RetryOutcome> {
    return this.knex.transaction(async (trx) => {
      const failed = () => {
        const rows = trx('webhook_deliveries').where('status', 'failed');
        if (ids !== 'all') rows.whereIn('id', [...ids]);
        return rows;
      };
      const outcome: RetryOutcome = { queued: 0, notConfigured: 0, urls: [] };
      const now = Date.now();
      for (const url of await this.urlsOf(failed())) {
        const target = endpoints.targetOf(url);
        if (target === null) {
          const [counted] = await failed().where('url', url).count({ count: '*' });
          outcome.notConfigured += Number(counted?.count ?? 0);
          continue;
        }
        const queued = await failed()
          .where('url', url)
          .update({
            url: target,
            status: 'pending',
            attempts: 0,
            next_attempt_at: now,
            retry_until: now + retryForMs,
          });
        outcome.queued += queued;
        if (queued > 0 && !outcome.urls.includes(target)) outcome.urls.push(target);
      }
      return outcome;
    });
  }

  async settle(endpoints: WebhookEndpoints): Promise<SettledDeliveries> {
    const settled: SettledDeliveries = { retargeted: [], unconfigured: [] };
    // One scan of the table a start; each change below is one statement of its own, so that
    // processes settling at once never wait on each other's transaction.
    for (const url of await this.urlsOf(this.knex('webhook_deliveries'))) {
      const target = endpoints.targetOf(url);
      if (target === url) continue;
      const rows = this.knex('webhook_deliveries').where('url', url);
      if (target !== null) {
        const count = await rows.update({ url: target });
        if (count > 0) settled.retargeted.push({ url: target, count });
        continue;
      }
      // Failed ones are kept as they are, for `failed` and `retry`; one in flight is failed too (a
      // success still takes it off the queue; a failure finds it failed and leaves it).
      const count = await rows
        .where('status', 'pending')
        .update({ status: 'failed', last_error: NOT_CONFIGURED_ERROR });
      if (count > 0) settled.unconfigured.push({ url, count });
    }
    return settled;
  }

  /** The URLs these rows are queued for, each once. */
  private async urlsOf(rows: Knex.QueryBuilder): Promise<string[]> {
    const found: Array<Pick<DeliveryRow, 'url'>> = await rows.distinct('url');
    return found.map((row) => row.url);
  }

  /**
   * The delivery as this process claimed it: once its lease has run out and another process took
   * it (its attempt count moved on), the other's outcome is the one that counts.
   */
  private mine(delivery: QueuedDelivery): Knex.QueryBuilder {
    return this.knex('webhook_deliveries')
      .where('id', delivery.id)
      .where('attempts', delivery.attempt)
      .where('status', 'pending');
  }
}
