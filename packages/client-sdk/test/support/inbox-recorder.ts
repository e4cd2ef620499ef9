import type { ChatRoom, InboxEvent } from '@hirechat/protocol';
import type {
  CloseInfo,
  ConnectionStatus,
  ErrorEvent,
  InboxResyncEvent,
  LiveInbox,
} from '../../src/index.js';

/** How long `until` waits before failing the test. */
const WAIT_MS = 8_000;

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

const EVENT_TYPES = [
  'room_created',
  'room_updated',
  'room_removed',
  'message_created',
  'message_updated',
  'message_deleted',
  'unread_changed',
] as const satisfies readonly InboxEvent['type'][];

export function recordInbox(inbox: LiveInbox): InboxRecorder {
  const waiters = new Set<() => void>();
  const recorded: Omit<InboxRecorder, 'until'> = {
    events: [],
    changes: [],
    statuses: [],
    closes: [],
    errors: [],
    resyncs: [],
  };
  const push =
    <T>(list: T[]) =>
    (item: T) => {
      list.push(item);
      for (const check of [...waiters]) check();
    };
  const logged = push(recorded.events);
  for (const type of EVENT_TYPES) inbox.on(type, logged);
  inbox.on('change', push(recorded.changes));
  inbox.on('status', push(recorded.statuses));
  inbox.on('close', push(recorded.closes));
  inbox.on('error', push(recorded.errors));
  inbox.on('resync', push(recorded.resyncs));

  return {
    ...recorded,
    until(what, condition, timeoutMs = WAIT_MS) {
      if (condition()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!condition()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no ${what} within ${timeoutMs} ms; recorded: ${JSON.stringify({
                events: inboxKeys(recorded.events),
                statuses: recorded.statuses,
                closes: recorded.closes,
                errors: recorded.errors,
                rooms: summary(inbox.getSnapshot()),
              })}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
      });
    },
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
