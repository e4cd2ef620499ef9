import type { Knex } from 'knex';

const UUID = 36;

/*
 * Where each deleted message stood, so that its UUID stays a usable page cursor: a client that
 * pages with `before=<uuid>` (or follows a `Link` naming one) gets the next page even when that
 * message was deleted meanwhile (issue 9, fault 4). Written in the transaction of the delete.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('deleted_message_positions', (t) => {
    t.string('uuid', UUID).primary();
    t.string('chat_room', UUID).notNullable().references('uuid').inTable('chat_rooms').onDelete('CASCADE');
    // The deleted row's `messages.id`, which orders every message, deleted or not.
    t.bigInteger('position').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('deleted_message_positions');
}
