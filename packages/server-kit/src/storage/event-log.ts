import type { Knex } from 'knex';
import { nowTimestamp } from '../domain/timestamp.js';
import type { EventLogRead } from '../ports/chat-storage.js';

/*
 * What the two event logs share: a room's (`room_events`, keyed by room) and a user's inbox
 * (`inbox_events`, keyed by user). Each keeps its owner's newest events by seq; the counters live
 * with their owners (room-event-log.ts, inbox-log.ts). Every function here runs inside the caller's
 * transaction or snapshot.
 */

type Db = Knex | Knex.Transaction;

/** A log table and the column that names whose events a row holds. */
export interface LogTable {
  table: 'room_events' | 'inbox_events';
  owner: 'room_uuid' | 'user_id';
}

export const ROOM_LOG: LogTable = { table: 'room_events', owner: 'room_uuid' };
export const INBOX_LOG: LogTable = { table: 'inbox_events', owner: 'user_id' };

/** Events of one owner, appended in one statement per chunk. */
export interface LogEntry {
  owner: string;
  seq: number;
  event: { seq: number };
}

/** Rows per INSERT: SQLite limits the values one statement binds. */
const INSERT_CHUNK = 200;

/**
 * Appends the entries, then prunes each owner's log to about `size` events. Pruning runs every
 * size/16 appends of an owner rather than on each (a statement per write otherwise), so a log runs
 * over its size by at most a sixteenth; each prune is one range of the primary key.
 */
export async function appendToLog(
  trx: Knex.Transaction,
  log: LogTable,
  size: number,
  entries: readonly LogEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const createdAt = nowTimestamp();
  const rows = entries.map(({ owner, seq, event }) => ({
    [log.owner]: owner,
    seq,
    event: JSON.stringify(event),
    created_at: createdAt,
  }));
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await trx(log.table).insert(rows.slice(start, start + INSERT_CHUNK));
  }
  const every = pruneEvery(size);
  for (const { owner, seq } of entries) {
    if (seq % every === 0) {
      await trx(log.table)
        .where(log.owner, owner)
        .where('seq', '<=', seq - size)
        .delete();
    }
  }
}

/** Writes between two prunes of a log: a sixteenth of its size, so small logs stay exact. */
export function pruneEvery(size: number): number {
  return Math.max(1, Math.floor(size / 16));
}

/**
 * The owner's events after `since`, given the owner's newest seq; to be run in a snapshot that
 * also read `seq`, so that the two agree.
 */
export async function readLogAfter<E>(
  db: Db,
  log: LogTable,
  owner: string,
  since: number,
  seq: number,
): Promise<EventLogRead<E>> {
  if (since >= seq) return { seq, events: [] };
  // Without the event right after `since` the replay would have a hole: not worth reading the rest.
  const next = await db(log.table)
    .select('seq')
    .where({ [log.owner]: owner, seq: since + 1 })
    .first();
  if (!next) return { seq, events: [] };
  const rows: { event: string }[] = await db(log.table)
    .select('event')
    .where(log.owner, owner)
    .where('seq', '>', since)
    .orderBy('seq');
  return { seq, events: rows.map((row) => JSON.parse(row.event) as E) };
}
