import type { InboxEvent, UnsequencedInboxEvent } from '@hirechat/protocol';
import type { Knex } from 'knex';
import type { EventLogRead, InboxDelivery } from '../ports/chat-storage.js';
import { appendToLog, INBOX_LOG, readLogAfter } from './event-log.js';

/*
 * Each user's inbox log (migration 004): `user_inboxes.last_seq` counts a user's inbox events, and
 * `inbox_events` keeps the newest of them. Every function here runs inside the caller's transaction
 * or snapshot.
 */

type Db = Knex | Knex.Transaction;

/** Counters taken per statement. */
const COUNTER_CHUNK = 250;

/**
 * Gives each event its user's next seq and appends it to that user's log. The counters are taken
 * in one statement, in user id order: a write of one room and a write of another that share users
 * (a recruiter's rooms share the recruiter) lock those users' counters in the same order, so they
 * wait for each other but never deadlock; the lock held to commit keeps each user's seqs in commit
 * order.
 */
export async function appendInboxEvents(
  trx: Knex.Transaction,
  size: number,
  unsequenced: ReadonlyArray<{ user: string; event: UnsequencedInboxEvent }>,
): Promise<InboxDelivery[]> {
  if (unsequenced.length === 0) return [];
  const ordered = [...unsequenced].sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  const seqOf = new Map<string, number>();
  // In chunks, in order: SQLite refuses one INSERT of 500 rows or more (its compound-select limit).
  for (let start = 0; start < ordered.length; start += COUNTER_CHUNK) {
    const counters: { user_id: string; last_seq: number | string }[] = await trx('user_inboxes')
      .insert(ordered.slice(start, start + COUNTER_CHUNK).map(({ user }) => ({ user_id: user, last_seq: 1 })))
      .onConflict('user_id')
      .merge({ last_seq: trx.raw('?? + 1', ['user_inboxes.last_seq']) })
      .returning(['user_id', 'last_seq']);
    for (const row of counters) seqOf.set(row.user_id, Number(row.last_seq));
  }
  const deliveries = ordered.map(({ user, event }) => {
    const seq = seqOf.get(user);
    if (seq === undefined) throw new Error(`No inbox seq was taken for user ${user}`);
    return { user, event: { ...event, seq } as InboxEvent };
  });
  await appendToLog(
    trx,
    INBOX_LOG,
    size,
    deliveries.map(({ user, event }) => ({ owner: user, seq: event.seq, event })),
  );
  return deliveries;
}

/** See ChatStorage.inboxSeq. */
export async function readInboxSeq(db: Db, user: string): Promise<number> {
  const counter: { last_seq: number | string } | undefined = await db('user_inboxes')
    .select('last_seq')
    .where('user_id', user)
    .first();
  return counter ? Number(counter.last_seq) : 0;
}

/** See ChatStorage.inboxEventsAfter; to be run in a snapshot, so that seq and events agree. */
export async function readInboxEventsAfter(
  db: Db,
  user: string,
  since: number,
): Promise<EventLogRead<InboxEvent>> {
  return readLogAfter<InboxEvent>(db, INBOX_LOG, user, since, await readInboxSeq(db, user));
}
