import type { Knex } from 'knex';

const UUID = 36;

/*
 * Webhooks and `message.unread` (contract, "Webhooks"). Times here are Unix milliseconds (bigint):
 * they are compared and added to, never shown.
 *
 * - `webhook_deliveries`: the outbox. A row per event and URL, written in the transaction of the
 *   change that caused the event; deleted once delivered. `next_attempt_at` is when it is due, and,
 *   while a process delivers it, the end of that process's lease (see KnexDeliveryQueue).
 *   `retry_until` ends its retries; a row past it is kept with `status` `failed` for
 *   `npm run webhooks -- failed | retry`.
 * - `unread_scan`: one row, the position (messages.id) up to which messages have been looked at
 *   for `message.unread`.
 * - `unread_notifications`: a user told of a room's unread message, and not since back (a read of
 *   the room's, or coming online, deletes the row): the "at most one per user and room".
 * - `user_last_online`: when each user last came online or went offline, on any process.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id');
    t.string('event_id', 64).notNullable();
    t.text('url').notNullable();
    t.string('event_type', 32).notNullable();
    t.text('payload').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('retry_until').notNullable();
    t.bigInteger('next_attempt_at').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('status', 16).notNullable().defaultTo('pending');
    t.text('last_error').nullable();
    // What the delivery loop asks for: pending rows that are due, oldest first.
    t.index(['status', 'next_attempt_at'], 'webhook_deliveries_due_idx');
  });

  await knex.schema.createTable('unread_scan', (t) => {
    t.integer('id').primary();
    t.integer('position').notNullable();
  });

  await knex.schema.createTable('unread_notifications', (t) => {
    t.string('user_id', UUID).notNullable();
    t.string('room_uuid', UUID).notNullable();
    t.bigInteger('notified_at').notNullable();
    t.primary(['user_id', 'room_uuid'], 'unread_notifications_pk');
  });

  await knex.schema.createTable('user_last_online', (t) => {
    t.string('user_id', UUID).primary();
    t.bigInteger('at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_last_online');
  await knex.schema.dropTable('unread_notifications');
  await knex.schema.dropTable('unread_scan');
  await knex.schema.dropTable('webhook_deliveries');
}
