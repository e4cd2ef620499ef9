import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from '@hirechat/protocol';
import type { Knex } from 'knex';
import type { OutboxWriter } from '../../storage/logged-write.js';
import type { OutboxConfig } from '../outbox.js';

/** Rows per INSERT: SQLite limits the values one statement binds. */
const INSERT_CHUNK = 100;

/** A `webhook-id`: unique, the same for every URL and every attempt of one event. */
export function newEventId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/**
 * Queues a write's domain events in its own transaction (see OutboxWriter): a delivery row per
 * event and URL, and, when `message.unread` is kept, the end of a user's "told" state in a room
 * that they read in or left.
 */
export class KnexOutboxWriter implements OutboxWriter {
  constructor(private readonly config: OutboxConfig) {}

  async append(trx: Knex.Transaction, events: readonly WebhookEvent[]): Promise<void> {
    if (events.length === 0) return;
    await queueDeliveries(trx, this.config, events);
    if (!this.config.unread) return;
    for (const event of events) {
      if (event.type === 'message.read') {
        await forgetTold(trx, event.data.user_id, event.data.chat_room);
      } else if (event.type === 'room.member_removed') {
        await forgetTold(trx, event.data.user_id, event.data.room_id);
      }
    }
  }
}

/** A row of `webhook_deliveries` as a write queues it (migration 006). */
export interface DeliveryRow {
  event_id: string;
  url: string;
  event_type: string;
  payload: string;
  /** Unix ms, as are retry_until and next_attempt_at. */
  created_at: number;
  retry_until: number;
  next_attempt_at: number;
  attempts: 0;
  status: 'pending';
}

/**
 * A delivery row for each event and URL, due now: one `webhook-id` per event, shared by its URLs.
 * Also what the message create (storage/message-write) inserts with its own statements.
 */
export function deliveryRows(
  config: Pick<OutboxConfig, 'urls' | 'retryForMs'>,
  events: readonly WebhookEvent[],
): DeliveryRow[] {
  if (config.urls.length === 0) return [];
  const now = Date.now();
  return events.flatMap((event) => {
    const eventId = newEventId();
    const payload = JSON.stringify(event);
    return config.urls.map((url) => ({
      event_id: eventId,
      url,
      event_type: event.type,
      payload,
      created_at: now,
      retry_until: now + config.retryForMs,
      next_attempt_at: now,
      attempts: 0 as const,
      status: 'pending' as const,
    }));
  });
}

/** A delivery row for each event and URL, due now. */
export async function queueDeliveries(
  trx: Knex.Transaction,
  config: Pick<OutboxConfig, 'urls' | 'retryForMs'>,
  events: readonly WebhookEvent[],
): Promise<void> {
  const rows = deliveryRows(config, events);
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await trx('webhook_deliveries').insert(rows.slice(start, start + INSERT_CHUNK));
  }
}

/** The user is back in the room (a read) or out of it (a removal): they may be told again. */
async function forgetTold(trx: Knex.Transaction, user: string, room: string): Promise<void> {
  await trx('unread_notifications').where({ user_id: user, room_uuid: room }).delete();
}
