import type { ChatRoom, InboxEvent, Message } from '@hirechat/protocol';

/** One room of the inbox, and what orders it. */
interface Entry {
  room: ChatRoom;
  /** Its latest activity (µs since the epoch): never moves back, as the server's does not. */
  activity: number;
  /** Its place in the last list fetched (the server's order), to break ties as the server does. */
  rank: number;
  /** Counts the changes to its `last_message`, so that a fetch that raced one is not applied. */
  version: number;
}

/** What applying an event asks of its caller. */
export interface Applied {
  /** Whether the rooms changed (and so the snapshot). */
  changed: boolean;
  /**
   * A room whose newest message was deleted: the event does not say which is newest now, so its
   * `last_message` should be fetched again (see `lastMessageFetched`).
   */
  refetch?: { room: string; version: number };
}

const UNRANKED = Number.MAX_SAFE_INTEGER;
const EMPTY: readonly ChatRoom[] = Object.freeze([]);

/**
 * The rooms of a user's inbox and their order, as inbox events change them: a pure state holder,
 * with no socket. Rooms are sorted as the server's room list is, latest activity first: a room's
 * activity is its newest message's time (or its creation), and never moves back, not even when
 * that message is deleted; ties go by the server's last order, then newest created, then UUID.
 *
 * The snapshot is a frozen array that stays the same object until the rooms change, and each room
 * in it a ChatRoom that is replaced, never changed in place: what React's `useSyncExternalStore`
 * and `memo` need.
 */
export class InboxRooms {
  private readonly entries = new Map<string, Entry>();
  private sorted: readonly ChatRoom[] = EMPTY;

  /** The rooms, latest activity first. */
  get snapshot(): readonly ChatRoom[] {
    return this.sorted;
  }

  /** The room, if the user is in it. */
  get(room: string): ChatRoom | undefined {
    return this.entries.get(room)?.room;
  }

  /**
   * Replaces every room with a list the server answered (in its order). A room's activity is kept
   * at least that of every room the server put after it: its newest message may have been deleted,
   * and the server orders it by that message still.
   */
  replaceAll(rooms: readonly ChatRoom[]): void {
    const previous = new Map(this.entries);
    this.entries.clear();
    let floor = 0;
    for (let rank = rooms.length - 1; rank >= 0; rank--) {
      const room = rooms[rank]!;
      floor = Math.max(floor, activityOf(room), previous.get(room.uuid)?.activity ?? 0);
      this.entries.set(room.uuid, {
        room,
        activity: floor,
        rank,
        version: (previous.get(room.uuid)?.version ?? 0) + 1,
      });
    }
    this.sort();
  }

  /** Applies one inbox event. */
  apply(event: InboxEvent): Applied {
    switch (event.type) {
      case 'room_created':
      case 'room_updated':
        return this.upsert(event.room);
      case 'room_removed':
        return this.finish(this.entries.delete(event.room_id));
      case 'message_created':
        return this.update(event.message.chat_room, (entry) => {
          const { message } = event;
          const last = entry.room.last_message;
          const newer =
            !last || last.uuid === message.uuid || micros(message.timestamp) >= micros(last.timestamp);
          entry.activity = Math.max(entry.activity, micros(message.timestamp));
          if (newer) entry.version++;
          return { ...entry.room, last_message: newer ? message : last, unread_count: event.unread_count };
        });
      case 'message_updated':
        return this.update(event.message.chat_room, (entry) => {
          if (entry.room.last_message?.uuid !== event.message.uuid) return entry.room;
          entry.version++;
          return { ...entry.room, last_message: event.message };
        });
      case 'message_deleted': {
        const entry = this.entries.get(event.message.chat_room);
        const wasLast = entry?.room.last_message?.uuid === event.message.uuid;
        const applied = this.update(event.message.chat_room, (current) => {
          if (wasLast) current.version++;
          return { ...current.room, unread_count: event.unread_count };
        });
        return wasLast && entry
          ? { ...applied, refetch: { room: entry.room.uuid, version: entry.version } }
          : applied;
      }
      case 'unread_changed':
        return this.update(event.room_id, (entry) => ({ ...entry.room, unread_count: event.unread_count }));
    }
  }

  /**
   * The room's newest message, fetched after its last one was deleted: taken unless the room's
   * `last_message` changed since the fetch began (an event brought a newer one meanwhile).
   */
  lastMessageFetched(room: string, version: number, message: Message | null): boolean {
    const entry = this.entries.get(room);
    if (!entry || entry.version !== version) return false;
    entry.version++;
    entry.room = { ...entry.room, last_message: message };
    this.sort();
    return true;
  }

  private upsert(room: ChatRoom): Applied {
    const entry = this.entries.get(room.uuid);
    this.entries.set(room.uuid, {
      room,
      activity: Math.max(entry?.activity ?? 0, activityOf(room)),
      rank: entry?.rank ?? UNRANKED,
      version: (entry?.version ?? 0) + 1,
    });
    return this.finish(true);
  }

  /** Replaces the room with what `change` answers (the same object: nothing changed). */
  private update(uuid: string, change: (entry: Entry) => ChatRoom): Applied {
    const entry = this.entries.get(uuid);
    // An event of a room the user is not in (left meanwhile, say) changes nothing.
    if (!entry) return { changed: false };
    const activity = entry.activity;
    const room = change(entry);
    if (room === entry.room && activity === entry.activity) return { changed: false };
    entry.room = room;
    return this.finish(true);
  }

  private finish(changed: boolean): Applied {
    if (changed) this.sort();
    return { changed };
  }

  private sort(): void {
    const entries = [...this.entries.values()].sort(
      (a, b) =>
        b.activity - a.activity ||
        a.rank - b.rank ||
        compare(b.room.created_at, a.room.created_at) ||
        compare(a.room.uuid, b.room.uuid),
    );
    this.sorted = Object.freeze(entries.map((entry) => entry.room));
  }
}

/** A room's own latest activity: its newest message's time, or its creation. */
function activityOf(room: ChatRoom): number {
  return Math.max(micros(room.created_at), room.last_message ? micros(room.last_message.timestamp) : 0);
}

/**
 * An ISO 8601 timestamp in µs since the epoch (the protocol's have six decimals, more than a Date
 * keeps); 0 when it does not parse.
 */
export function micros(timestamp: string): number {
  const millis = Date.parse(timestamp);
  if (Number.isNaN(millis)) return 0;
  const fraction = /\.(\d+)/.exec(timestamp)?.[1] ?? '';
  return millis * 1000 + Number(`${fraction}000000`.slice(3, 6));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
