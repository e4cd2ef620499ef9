import type { EventLogRead } from '../../ports/chat-storage.js';

/**
 * What a socket that resumes after a seq is owed: the logged events after it, in order, then live
 * ones from `seq` on; or, when the log no longer reaches back that far (or the seq is ahead of the
 * log's), a resync, and live events from `seq` on. The same for a room's log and a user's inbox.
 */
export type Replay<E> = { resync: false; seq: number; events: E[] } | { resync: true; seq: number };

/** The replay owed after `since`, from what the log held. */
export function replayFrom<E>(since: number, read: EventLogRead<E>): Replay<E> {
  if (since === read.seq) return { resync: false, seq: read.seq, events: [] };
  // Ahead of the log (another database?), or behind what the log still holds.
  if (since > read.seq || read.events.length === 0) return { resync: true, seq: read.seq };
  return { resync: false, seq: read.seq, events: read.events };
}
