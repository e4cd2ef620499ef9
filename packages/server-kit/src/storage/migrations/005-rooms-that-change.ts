import type { Knex } from 'knex';

const UUID = 36;
const TIMESTAMP = 40;

/*
 * Rooms that change, and the inbox (contract, second half).
 *
 * - `chat_rooms.participants_digest`: the digest of the room's current recruiter and clients,
 *   which idempotent creation looks rooms up by. `participants_key` keeps its unique index, which
 *   settles two concurrent creations of one new room: a room holds its digest there until its
 *   participants first change, and then its own uuid (a value no digest can equal), so that rooms
 *   whose participants came to be equal never collide.
 * - `user_inboxes.last_seq`: each user's count of inbox events, which a write increments in its own
 *   transaction (as `chat_rooms.last_seq` counts a room's), and `inbox_events` the newest of them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_rooms', (t) => {
    t.string('participants_digest', 64).notNullable().defaultTo('');
    t.index(['participants_digest'], 'chat_rooms_participants_digest_idx');
  });
  await knex('chat_rooms').update({ participants_digest: knex.ref('participants_key') });

  await knex.schema.createTable('user_inboxes', (t) => {
    t.string('user_id', UUID).primary();
    t.integer('last_seq').notNullable();
  });

  await knex.schema.createTable('inbox_events', (t) => {
    t.string('user_id', UUID).notNullable();
    t.integer('seq').notNullable();
    t.text('event').notNullable();
    t.string('created_at', TIMESTAMP).notNullable();
    // The key is also the index that replays (seq > since) and pruning (seq <= newest - size) use.
    t.primary(['user_id', 'seq'], 'inbox_events_pk');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inbox_events');
  await knex.schema.dropTable('user_inboxes');
  // A room whose participants changed keeps its uuid as its key: the older code, which looks rooms
  // up by key, no longer finds it when asked to create it again, and creates another.
  await knex.schema.alterTable('chat_rooms', (t) => {
    t.dropIndex(['participants_digest'], 'chat_rooms_participants_digest_idx');
  });
  // ALTER TABLE itself, which both dialects have: knex drops an SQLite column by copying the table
  // and dropping the old one, and dropping chat_rooms would cascade to every participant and message.
  await knex.raw('alter table ?? drop column ??', ['chat_rooms', 'participants_digest']);
}
