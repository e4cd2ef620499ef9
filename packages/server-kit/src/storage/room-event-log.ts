import type { LoggedRoomEvent } from '@hirechat/protocol';
import type { Knex } from 'knex';
import type { EventLogRead } from '../ports/chat-storage.js';
import { ROOM_LOG, readLogAfter } from './event-log.js';

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

/**
 * Increments the room's counter, and moves its activity forward (never back: another process's
 * clock may lag ours); null when there is no such room (or message). Its row lock orders the
 * room's writers (in every process) before they touch anything else.
 */
export async function takeSeq(
  trx: Knex.Transaction,
  roomOf: RoomOf,
): Promise<{ room: string; seq: number } | null> {
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
  return readLogAfter<LoggedRoomEvent>(db, ROOM_LOG, room, since, seq);
}
