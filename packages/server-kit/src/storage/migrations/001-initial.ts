import type { Knex } from 'knex';

/*
 * UUIDs are stored as 36-character strings and timestamps as the domain's ISO 8601 text, so that
 * SQLite and PostgreSQL keep exactly the same values and no driver converts them on the way. Text
 * that comes from outside (emails, names, file keys) has no length limit for PostgreSQL to enforce.
 */
const UUID = 36;
const TIMESTAMP = 40;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', UUID).primary();
    t.text('email').nullable();
    // A plain column rather than a functional index: portable, and indexable on every dialect.
    t.text('email_lower').nullable().index('users_email_lower_idx');
    t.text('name').nullable();
    t.string('role', 32).nullable();
    t.string('updated_at', TIMESTAMP).notNullable();
  });

  await knex.schema.createTable('chat_rooms', (t) => {
    t.string('uuid', UUID).primary();
    t.string('recruiter', UUID).notNullable().index('chat_rooms_recruiter_idx');
    t.string('created_at', TIMESTAMP).notNullable();
    t.string('last_activity_at', TIMESTAMP).notNullable();
    // A digest of the recruiter and the sorted clients: fixed length however many clients a room
    // has, and unique, so that two concurrent creations of the same room settle on one row.
    t.string('participants_key', 64).notNullable().unique({ indexName: 'chat_rooms_participants_key_uq' });
  });

  await knex.schema.createTable('chat_room_participants', (t) => {
    t.string('room_uuid', UUID).notNullable().references('uuid').inTable('chat_rooms').onDelete('CASCADE');
    t.string('user_id', UUID).notNullable();
    t.string('role', 16).notNullable();
    t.primary(['room_uuid', 'user_id']);
    t.index(['user_id', 'room_uuid'], 'chat_room_participants_user_idx');
  });

  await knex.schema.createTable('messages', (t) => {
    // int4 rather than bigint: the pg driver answers bigint as a string, and positions are numbers.
    t.increments('id');
    t.string('uuid', UUID).notNullable().unique({ indexName: 'messages_uuid_uq' });
    t.string('chat_room', UUID).notNullable().references('uuid').inTable('chat_rooms').onDelete('CASCADE');
    t.string('sender', UUID).notNullable();
    t.text('file_key').nullable().index('messages_file_key_idx');
    t.string('job', UUID).nullable();
    t.text('content').nullable();
    t.string('timestamp', TIMESTAMP).notNullable();
    t.boolean('is_edited').notNullable().defaultTo(false);
    t.index(['chat_room', 'id'], 'messages_room_idx');
    t.index(['sender', 'id'], 'messages_sender_idx');
  });

  await knex.schema.createTable('message_reads', (t) => {
    // The id orders the readers of a message in the order they read it.
    t.increments('id');
    t.string('message_uuid', UUID).notNullable().references('uuid').inTable('messages').onDelete('CASCADE');
    t.string('user_id', UUID).notNullable();
    t.unique(['message_uuid', 'user_id'], { indexName: 'message_reads_message_user_uq' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('message_reads');
  await knex.schema.dropTable('messages');
  await knex.schema.dropTable('chat_room_participants');
  await knex.schema.dropTable('chat_rooms');
  await knex.schema.dropTable('users');
}
