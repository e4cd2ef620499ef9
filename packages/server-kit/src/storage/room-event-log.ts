import type { LoggedRoomEvent, UnsequencedRoomEvent } from '@hirechat/protocol';
import type { Knex } from 'knex';
import { nowTimestamp } from '../domain/timestamp.js';
import type { EventLogRead, Logged } from '../ports/chat-storage.js';

/*
 * The per-room event log (migration 002): `chat_rooms.last_seq` counts each room's events, and
 * `room_events` keeps the newest of them. Every function here runs inside the caller's transaction
 * or snapshot; KnexChatStorage decides when.
 */

/** Events each room keeps unless configured otherwise: about a busy day of one conversation. */
export const DEFAULT_EVENT_LOG_SIZE = 1_000;

type Db = Knex | Knex.Transaction;

/**
 * The room a logged write belongs to: named, or found through one of its messages. `activeAt`
 * marks the room active at that moment (a new message), in the statement that takes the seq.
 */
export type RoomOf = { room: string; activeAt?: string } | { message: string };

/** A write that found nothing to change: thrown to roll back the seq it took, answered as null. */
class NothingWritten extends Error {}

/**
 * Runs one logged write in one transaction: first takes the room's next seq, whose row lock orders
 * the room's writers (in every process) before they touch anything else, so that seqs follow commit
 * order and writers of one room never deadlock; then the write; then appends its event and prunes
 * the room's log to about `size` events. A write that answers null rolls back, giving the seq back;
 * so does a room (or message) that does not exist.
 */
export async function writeLogged<R>(
  knex: Knex,
  size: number,
  roomOf: RoomOf,
  write: (trx: Knex.Transaction) => Promise<R | null>,
  eventOf: (record: R) => UnsequencedRoomEvent,
): Promise<Logged<R> | null> {
  try {
    return await knex.transaction(async (trx) => {
      const counter = await takeSeq(trx, roomOf);
      if (!counter) return null;
      const record = await write(trx);
      if (record === null) throw new NothingWritten();
      const event = { ...eventOf(record), seq: counter.seq } as LoggedRoomEvent;
      await trx('room_events').insert({
        room_uuid: counter.room,
        seq: counter.seq,
        event: JSON.stringify(event),
        created_at: nowTimestamp(),
      });
      // A statement per write otherwise: pruning every so often lets the log run over its size by
      // at most a sixteenth, and each prune is one range of the primary key.
      if (counter.seq % pruneEvery(size) === 0) {
        await trx('room_events')
          .where('room_uuid', counter.room)
          .where('seq', '<=', counter.seq - size)
          .delete();
      }
      return { record, event };
    });
  } catch (error) {
    if (error instanceof NothingWritten) return null;
    throw error;
  }
}

/** Writes between two prunes of a room's log: a sixteenth of its size, so small logs stay exact. */
function pruneEvery(size: number): number {
  return Math.max(1, Math.floor(size / 16));
}

/**
 * Increments the room's counter, and moves its activity forward (never back: another process's
 * clock may lag ours); null when there is no such room (or message).
 */
async function takeSeq(trx: Knex.Transaction, roomOf: RoomOf): Promise<{ room: string; seq: number } | null> {
  const rooms = trx('chat_rooms');
  const changes: Record<string, Knex.Raw> = { last_seq: trx.raw('?? + 1', ['last_seq']) };
  if ('room' in roomOf) {
    rooms.where('uuid', roomOf.room);
    if (roomOf.activeAt !== undefined) {
      const at = roomOf.activeAt;
      changes.last_activity_at = trx.raw('CASE WHEN ?? < ? THEN ? ELSE ?? END', [
        'last_activity_at',
        at,
        at,
        'last_activity_at',
      ]);
    }
  } else {
    rooms.where('uuid', trx('messages').select('chat_room').where('uuid', roomOf.message));
  }
  const [row]: { uuid: string; last_seq: number | string }[] = await rooms
    .update(changes)
    .returning(['uuid', 'last_seq']);
  return row ? { room: row.uuid, seq: Number(row.last_seq) } : null;
}

/** See ChatStorage.roomSeq. */
export async function readRoomSeq(db: Db, room: string): Promise<number | null> {
  const counter: { last_seq: number | string } | undefined = await db('chat_rooms')
    .select('last_seq')
    .where('uuid', room)
    .first();
  return counter ? Number(counter.last_seq) : null;
}

/** See ChatStorage.eventsAfter; to be run in a snapshot, so that seq and events agree. */
export async function readEventsAfter(db: Db, room: string, since: number): Promise<EventLogRead | null> {
  const seq = await readRoomSeq(db, room);
  if (seq === null) return null;
  if (since >= seq) return { seq, events: [] };
  // Without the event right after `since` the replay would have a hole: not worth reading the rest.
  const next = await db('room_events')
    .select('seq')
    .where({ room_uuid: room, seq: since + 1 })
    .first();
  if (!next) return { seq, events: [] };
  const rows: { event: string }[] = await db('room_events')
    .select('event')
    .where('room_uuid', room)
    .where('seq', '>', since)
    .orderBy('seq');
  return { seq, events: rows.map((row) => JSON.parse(row.event) as LoggedRoomEvent) };
}
