import { type ChatRoom, INBOX_EVENT_TYPES, type InboxEvent } from '@hirechat/protocol';
import type {
  CloseInfo,
  ConnectionStatus,
  ErrorEvent,
  InboxResyncEvent,
  LiveInbox,
} from '../../src/index.js';
import { createWaiters } from './waiters.js';

/** Everything a live inbox delivered to the app, in order. */
export interface InboxRecorder {
  /** Inbox events, in the order the app got them. */
  events: InboxEvent[];
  /** Each snapshot a `change` carried. */
  changes: (readonly ChatRoom[])[];
  statuses: ConnectionStatus[];
  closes: CloseInfo[];
  errors: ErrorEvent[];
  resyncs: InboxResyncEvent[];
  /** Resolves once the condition holds: now, or after a later event; fails after a while with what was recorded. */
  until(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
}

export function recordInbox(inbox: LiveInbox): InboxRecorder {
  const waiters = createWaiters();
  const recorded: Omit<InboxRecorder, 'until'> = {
    events: [],
    changes: [],
    statuses: [],
    closes: [],
    errors: [],
    resyncs: [],
  };
  const push = waiters.pusher;
  const logged = push(recorded.events);
  for (const type of INBOX_EVENT_TYPES) inbox.on(type, logged);
  inbox.on('change', push(recorded.changes));
  inbox.on('status', push(recorded.statuses));
  inbox.on('close', push(recorded.closes));
  inbox.on('error', push(recorded.errors));
  inbox.on('resync', push(recorded.resyncs));

  return {
    ...recorded,
    until: (what, condition, timeoutMs) =>
      waiters.until(
        what,
        condition,
        () =>
          JSON.stringify({
            events: inboxKeys(recorded.events),
            statuses: recorded.statuses,
            closes: recorded.closes,
            errors: recorded.errors,
            rooms: summary(inbox.getSnapshot()),
          }),
        timeoutMs,
      ),
  };
}

/** Each event as `seq type id`: what it is about, for comparing two inboxes' histories. */
export function inboxKeys(events: readonly InboxEvent[]): string[] {
  return events.map((event) => {
    const id =
      event.type === 'room_removed' || event.type === 'unread_changed'
        ? event.room_id
        : event.type === 'room_created' || event.type === 'room_updated'
          ? event.room.uuid
          : event.message.uuid;
    return `${event.seq} ${event.type} ${id}`;
  });
}

/** The rooms as `uuid unread last-message-content`, in order: what a room list shows. */
export function summary(rooms: readonly ChatRoom[]): string[] {
  return rooms.map((room) => `${room.uuid} ${room.unread_count} ${room.last_message?.content ?? '-'}`);
}
