import type { ChatStorage } from '../../ports/chat-storage.js';
import type { Logger } from '../../ports/logger.js';
import type { PresenceState } from '../../ports/presence-state.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { RoomRecord } from '../records.js';

/**
 * Told, on the process that learnt it, that users came online (`true`) or went offline (`false`):
 * by a socket that opened or closed here, or by the presence state's expiry and restore (a
 * process that died, or came back). The `message.unread` notifier keeps last-seen times with it.
 */
export type PresenceChangeListener = (users: readonly string[], online: boolean) => void;

/**
 * How long, in milliseconds, a batch of presence changes gathers more before it is announced. The
 * batch also gathers for as long as the one before it takes to go out, so a room of 1,000 filling
 * up hears a few sets instead of one per arrival (each the whole set: ~39 KB at 1,000 users).
 * 1,000 sockets joining 50 at a time got a median of 12 sets each at 100 ms, 19 at 50 ms and
 * 54-69 at 20 ms (one run each, on a shared machine); no one sees 100 ms on an online dot.
 */
export const PRESENCE_BATCH_MS = 100;

/** Rooms whose sets may have changed and are yet to be announced, gathered into one batch. */
interface Batch {
  /** Users who came or went: each of their rooms is told. */
  users: Set<string>;
  /** Rooms whose participants changed, as last known: each is told. */
  rooms: Map<string, RoomRecord>;
}

/**
 * Who of each room is online (contract, "Presence"): a user is online while they hold any open
 * socket, room or inbox, on any process. When users come or go, every room of theirs is told its
 * new set; so is a room whose participants change.
 *
 * Announcements are batched: changes that come while a batch waits or goes out are told together
 * by the next one, one set per room, read after every change in it was recorded. So the last set
 * a room hears from this process is exact, and a later set is never sent first.
 */
export class Presence {
  /** The batch still gathering changes; null when none is. */
  private gathering: Batch | null = null;
  /** The batches of this process, one after another; resolves once the last has gone out. */
  private announcing: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: PresenceState,
    private readonly storage: Pick<ChatStorage, 'roomsWithParticipants' | 'getRoom'>,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    private readonly onChange: PresenceChangeListener = () => {},
  ) {
    // Users of a process that died (or that came back from being taken for dead): found by
    // whichever process noticed, and announced by it.
    state.onExpire((users) => this.changed(users, false));
    state.onRestore((users) => this.changed(users, true));
  }

  /**
   * A socket of the user opened on this process. Resolves once the user counts as online; their
   * rooms are told by a batch after that (see `announced`).
   */
  async connected(user: string): Promise<void> {
    if (await this.state.connect(user)) this.changed([user], true);
  }

  /**
   * A socket of the user closed on this process. Resolves once the user's presence is recorded;
   * their rooms are told by a batch after that (see `announced`).
   */
  async disconnected(user: string): Promise<void> {
    if (await this.state.disconnect(user)) this.changed([user], false);
  }

  /** Resolves once every change recorded so far has been announced (or failed to be, logged). */
  announced(): Promise<void> {
    return this.announcing;
  }

  /** The participants of the room who are online now: the recruiter first, then clients in order. */
  async onlineIn(room: RoomRecord): Promise<string[]> {
    return this.state.online([room.recruiter, ...room.clients]);
  }

  /** Who of the room is online now; nobody when there is no such room. */
  async onlineInRoom(uuid: string): Promise<string[]> {
    const room = await this.storage.getRoom(uuid);
    return room ? this.onlineIn(room) : [];
  }

  /** Tells the room who of it is online now (after its participants changed), with the next batch. */
  announceRoom(room: RoomRecord): void {
    this.batch().rooms.set(room.uuid, room);
  }

  /** Users came or went: the listener hears of it, and the next batch tells their rooms. */
  private changed(users: readonly string[], online: boolean): void {
    try {
      this.onChange(users, online);
    } catch (error) {
      this.logger.error({ err: error }, 'a presence change listener threw');
    }
    const { users: pending } = this.batch();
    for (const user of users) pending.add(user);
  }

  /**
   * The batch gathering changes, started when there is none: it goes out once the one before it
   * has, and `PRESENCE_BATCH_MS` more have passed. A failed batch is logged, and the next goes on.
   */
  private batch(): Batch {
    if (this.gathering) return this.gathering;
    const batch: Batch = { users: new Set(), rooms: new Map() };
    this.gathering = batch;
    this.announcing = this.announcing
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, PRESENCE_BATCH_MS)))
      .then(() => {
        this.gathering = null;
        return this.announce(batch);
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'presence not announced');
      });
    return batch;
  }

  /** Tells every room of the batch who of it is online now. */
  private async announce({ users, rooms }: Batch): Promise<void> {
    const participantsOf = new Map<string, readonly string[]>();
    for (const [uuid, room] of rooms) participantsOf.set(uuid, [room.recruiter, ...room.clients]);
    // Read after the rooms above, so a user's rooms as stored now win over an older record.
    for (const user of users) {
      for (const { room, participants } of await this.storage.roomsWithParticipants(user)) {
        participantsOf.set(room, participants);
      }
    }
    if (participantsOf.size === 0) return;
    const online = new Set(await this.state.online([...new Set([...participantsOf.values()].flat())]));
    await Promise.all(
      [...participantsOf].map(([room, participants]) =>
        this.publisher.toRoom(room, {
          type: 'presence',
          online_users: participants.filter((user) => online.has(user)),
        }),
      ),
    );
  }
}
