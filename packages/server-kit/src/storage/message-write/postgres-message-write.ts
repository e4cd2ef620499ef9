import type { Knex } from 'knex';
import type { MessageRecord } from '../../domain/records.js';
import type { EventsOf, Logged, NewMessage } from '../../ports/chat-storage.js';
import type { OutboxConfig } from '../../webhooks/outbox.js';
import type { LogSizes } from '../logged-write.js';
import { isDatabaseUnreachable } from '../storage-errors.js';
import { type MessageWrite, messageLogs } from './message-write.js';

/** A named prepared statement, as pg's `query` takes it (with its `values`). */
interface NamedStatement {
  name: string;
  text: string;
}

/*
 * Named prepared statements: PostgreSQL parses and plans each once per connection, and pg sends
 * only the name and the values after that. Two round trips a message, each one write to the
 * socket: BEGIN and the first two below, whose values the write knows before it starts, then the
 * third and COMMIT, whose values depend on the answers of the first. A round trip costs the
 * server a write to the socket and a wake-up for the answer; PostgreSQL still answers each
 * statement on its own (about four reads a message, against five).
 */

/**
 * 1. The room's next seq and its activity (never moved back). Its row lock orders the room's
 * writers, in every process, before they touch anything else; no row: no such room. Alone in its
 * statement, because a statement that waited for this lock still reads the rest of the database as
 * it was before the wait (READ COMMITTED): the sender's participation has to be read by the next.
 */
const TAKE_SEQ: NamedStatement = {
  name: 'hirechat_message_take_seq',
  text: `UPDATE chat_rooms
    SET last_seq = last_seq + 1,
        last_activity_at = CASE WHEN last_activity_at < $2 THEN $2 ELSE last_activity_at END
    WHERE uuid = $1
    RETURNING last_seq`,
};

/**
 * 2. Under the room's lock, so reading every change of the room's participants committed before:
 * when the sender ($2) is a participant of the room ($1), stores the message, moves everyone
 * else's unread count, and takes every participant's next inbox seq, in user id order with
 * `COLLATE "C"` (byte order, which is the order of the code units every other write sorts by in
 * JavaScript, since user ids are lower-case UUIDs), so that writes of rooms that share users never
 * deadlock. Answers a row per participant with the message's id; none when the sender is not one.
 */
const WRITE_MESSAGE: NamedStatement = {
  name: 'hirechat_message_write',
  text: `WITH sender AS (
      SELECT user_id, unread_count FROM chat_room_participants WHERE room_uuid = $1 AND user_id = $2
    ), message AS (
      INSERT INTO messages (uuid, chat_room, sender, file_key, job, content, timestamp, is_edited)
      SELECT $3, $1, $2, $4, $5, $6, $7, false WHERE EXISTS (SELECT 1 FROM sender)
      RETURNING id
    ), others AS (
      UPDATE chat_room_participants SET unread_count = unread_count + 1
      WHERE room_uuid = $1 AND user_id <> $2 AND EXISTS (SELECT 1 FROM sender)
      RETURNING user_id, unread_count
    ), participants AS (
      SELECT user_id, unread_count FROM sender UNION ALL SELECT user_id, unread_count FROM others
    ), counters AS (
      INSERT INTO user_inboxes (user_id, last_seq)
      SELECT user_id, 1 FROM participants ORDER BY user_id COLLATE "C"
      ON CONFLICT (user_id) DO UPDATE SET last_seq = user_inboxes.last_seq + 1
      RETURNING user_id, last_seq
    )
    SELECT message.id, participants.user_id, participants.unread_count, counters.last_seq AS inbox_seq
    FROM participants JOIN counters USING (user_id) CROSS JOIN message`,
};

/**
 * 3. Appends the room event ($1 room, $2 seq, $3 JSON, $4 created_at) and prunes the room's log up
 * to $5 (null: not this time); appends the inbox events ($6 users, $7 seqs, $8 their events as one
 * JSON array) and prunes the logs of $9 users up to $10 seqs; queues the outbox rows ($11 to $13,
 * $15 and $16 a column each, $14 the payloads as one JSON array; due at once; none without
 * webhooks). Rows of a log are appended and pruned by seq ranges that never meet, so the
 * statement's one snapshot does no harm. The outbox's INSERT is the statement itself, answering
 * no rows: nothing for pg to describe and parse.
 *
 * The events and payloads come as a `json` array rather than a `text[]`: pg writes a text array as
 * an array literal, escaping every quote of every event (a tenth of what a message allocated), where
 * the JSON texts joined with commas are already a valid JSON array. `json_array_elements_text`
 * answers each element's text as it came (the `json` type keeps its input text), in order.
 */
const APPEND_LOGS: NamedStatement = {
  name: 'hirechat_message_append_logs',
  text: `WITH room_event AS (
      INSERT INTO room_events (room_uuid, seq, event, created_at) VALUES ($1, $2, $3, $4)
    ), room_pruned AS (
      DELETE FROM room_events WHERE $5::int IS NOT NULL AND room_uuid = $1 AND seq <= $5::int
    ), inbox AS (
      INSERT INTO inbox_events (user_id, seq, event, created_at)
      SELECT u.user_id, u.seq, e.event, $4
      FROM unnest($6::text[], $7::int[]) WITH ORDINALITY AS u(user_id, seq, i)
      JOIN json_array_elements_text($8::json) WITH ORDINALITY AS e(event, i) USING (i)
    ), inbox_pruned AS (
      DELETE FROM inbox_events AS e USING unnest($9::text[], $10::int[]) AS p(user_id, seq)
      WHERE e.user_id = p.user_id AND e.seq <= p.seq
    )
    INSERT INTO webhook_deliveries
      (event_id, url, event_type, payload, created_at, retry_until, next_attempt_at, attempts, status)
    SELECT d.event_id, d.url, d.event_type, p.payload, d.created_at, d.retry_until, d.created_at, 0, 'pending'
    FROM unnest($11::text[], $12::text[], $13::text[], $15::bigint[], $16::bigint[]) WITH ORDINALITY
      AS d(event_id, url, event_type, created_at, retry_until, i)
    JOIN json_array_elements_text($14::json) WITH ORDINALITY AS p(payload, i) USING (i)`,
};

/** JSON texts as one JSON array's text, for a `$n::json` parameter (see APPEND_LOGS). */
const jsonArray = (texts: readonly string[]): string => `[${texts.join(',')}]`;

/** A statement as pg's `query` takes it: a simple one's text, or a named one with its values. */
type Statement = string | (NamedStatement & { values: unknown[] });

/**
 * What this write uses of a pg Client from knex's pool: `query`, the socket under its
 * `connection` (corked while a round trip's statements are written), and the mark knex's pg client
 * sets on a connection that must not be lent again (knex/lib/dialects/postgres).
 */
interface PooledClient {
  query<R>(statement: Statement): Promise<{ rows: R[] }>;
  connection?: { stream?: { cork(): void; uncork(): void } };
  __knex__disposed?: unknown;
}

/**
 * Sends the statements in one write to the socket and answers their results, in order. On a
 * client in pg's pipeline mode (createPostgresKnex's connections) each statement is written as
 * soon as it is queried, without waiting for the answer of the one before, so the cork gathers
 * them into one write; PostgreSQL still runs them one after another, each its own statement (with
 * its own snapshot under READ COMMITTED). On a client without it, pg sends each after the one
 * before is answered: the same results, a round trip each. Rejects with the first failure (the
 * statements after a failed one fail too, in the aborted transaction, and are left unreported).
 */
async function roundTrip(
  client: PooledClient,
  statements: readonly Statement[],
): Promise<{ rows: unknown[] }[]> {
  // pg's socket, which pg does not document: without it, the same statements in as many writes.
  const stream = client.connection?.stream;
  stream?.cork();
  let answers: Promise<{ rows: unknown[] }>[];
  try {
    answers = statements.map((statement) => client.query(statement));
  } finally {
    stream?.uncork();
  }
  return Promise.all(answers);
}

/** Thrown to roll back the transaction; answered as null. */
class NothingWritten extends Error {}

/**
 * The message create over PostgreSQL: named prepared statements on a connection of knex's pool, in
 * one transaction of two round trips. The room's row lock is taken first, then the inbox
 * counters in user id order, as every other write (logged-write.ts) takes them, so writers never
 * deadlock and each room's and each user's seqs follow commit order.
 */
export class PostgresMessageWrite implements MessageWrite {
  constructor(
    private readonly knex: Knex,
    private readonly sizes: LogSizes,
  ) {}

  async insert(
    message: NewMessage,
    events: EventsOf<MessageRecord>,
    outbox: OutboxConfig | null,
  ): Promise<Logged<MessageRecord> | null> {
    const client: PooledClient = await this.knex.client.acquireConnection();
    try {
      return await this.write(client, message, events, outbox);
    } catch (error) {
      await this.rollBack(client, error);
      if (error instanceof NothingWritten) return null;
      throw error;
    } finally {
      await this.knex.client.releaseConnection(client);
    }
  }

  private async write(
    client: PooledClient,
    message: NewMessage,
    events: EventsOf<MessageRecord>,
    outbox: OutboxConfig | null,
  ): Promise<Logged<MessageRecord>> {
    const room = message.chatRoom;
    const [, counter, written] = (await roundTrip(client, [
      'BEGIN',
      { ...TAKE_SEQ, values: [room, message.timestamp] },
      {
        ...WRITE_MESSAGE,
        values: [
          room,
          message.sender,
          message.uuid,
          message.fileKey,
          message.job,
          message.content,
          message.timestamp,
        ],
      },
    ])) as [
      unknown,
      { rows: { last_seq: number }[] },
      { rows: { id: number; user_id: string; unread_count: number; inbox_seq: number }[] },
    ];
    // No room: the write found no sender either (a room's participants go with it), and wrote nothing.
    const seq = counter.rows[0]?.last_seq;
    const first = written.rows[0];
    if (seq === undefined || !first) throw new NothingWritten();
    const participants = written.rows.map((row) => ({
      user: row.user_id,
      unreadCount: row.unread_count,
      inboxSeq: row.inbox_seq,
    }));
    const logs = messageLogs(message, first.id, seq, participants, events, this.sizes, outbox);
    await roundTrip(client, [
      {
        ...APPEND_LOGS,
        values: [
          room,
          seq,
          logs.room.json,
          logs.createdAt,
          logs.roomPruneTo,
          logs.inbox.map((row) => row.owner),
          logs.inbox.map((row) => row.seq),
          jsonArray(logs.inbox.map((row) => row.json)),
          logs.inboxPrunes.map((prune) => prune.user),
          logs.inboxPrunes.map((prune) => prune.to),
          logs.deliveries.map((row) => row.event_id),
          logs.deliveries.map((row) => row.url),
          logs.deliveries.map((row) => row.event_type),
          jsonArray(logs.deliveries.map((row) => row.payload)),
          logs.deliveries.map((row) => row.created_at),
          logs.deliveries.map((row) => row.retry_until),
        ],
      },
      'COMMIT',
    ]);
    return logs.logged;
  }

  /**
   * Ends the failed transaction. A connection that failed under us, or fails to roll back, is
   * marked as knex marks a broken one, so that its pool destroys it rather than lend it again.
   */
  private async rollBack(client: PooledClient, cause: unknown): Promise<void> {
    if (isDatabaseUnreachable(cause)) {
      client.__knex__disposed ??= cause;
      return;
    }
    try {
      await client.query('ROLLBACK');
    } catch (error) {
      client.__knex__disposed ??= error;
    }
  }
}
