import type { Knex } from 'knex';

const UUID = 36;
const TIMESTAMP = 40;

/*
 * The per-room event log behind `seq` and `?since=`. Each room counts its logged events in
 * `chat_rooms.last_seq`, which a write increments in its own transaction: the row lock that the
 * increment takes orders concurrent writers of one room (in any process), and a write that rolls
 * back gives its number back. `room_events` keeps the newest events of each room (the storage
 * prunes older ones as it appends), as the JSON the sockets were sent.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_rooms', (t) => {
    t.integer('last_seq').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('room_events', (t) => {
    t.string('room_uuid', UUID).notNullable().references('uuid').inTable('chat_rooms').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.text('event').notNullable();
    t.string('created_at', TIMESTAMP).notNullable();
    // The key is also the index that replays (seq > since) and pruning (seq <= newest - size) use.
    t.primary(['room_uuid', 'seq'], 'room_events_pk');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('room_events');
  await knex.schema.alterTable('chat_rooms', (t) => {
    t.dropColumn('last_seq');
  });
}
