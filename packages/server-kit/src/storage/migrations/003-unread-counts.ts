import type { Knex } from 'knex';

/*
 * Each participant's unread count of their room, kept up to date by the writes that change it (a
 * message stored, read, or deleted), so that a room list reads one number per room instead of
 * counting a room's messages: in a room of a million messages that count took 160 ms, during which
 * SQLite's synchronous driver held the event loop. Filled here from the messages and reads so far.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_room_participants', (t) => {
    t.integer('unread_count').notNullable().defaultTo(0);
  });
  const participant = 'chat_room_participants';
  await knex(participant).update({
    unread_count: knex('messages as m')
      .count('*')
      .where('m.chat_room', knex.ref(`${participant}.room_uuid`))
      .whereNot('m.sender', knex.ref(`${participant}.user_id`))
      .whereNotExists(
        knex('message_reads as mr')
          .select(knex.raw('1'))
          .where('mr.message_uuid', knex.ref('m.uuid'))
          .where('mr.user_id', knex.ref(`${participant}.user_id`)),
      ),
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_room_participants', (t) => {
    t.dropColumn('unread_count');
  });
}
