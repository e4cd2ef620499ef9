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
 * Who of each room is online (contract, "Presence"): a user is online while they hold any open
 * socket, room or inbox, on any process. When a user comes or goes, every room of theirs is told
 * its new set; so is a room whose participants change.
 */
export class Presence {
  /** Announcements of this process, one after another, so that a later set is never sent first. */
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
    state.onExpire((users) => void this.changed(users, false));
    state.onRestore((users) => void this.changed(users, true));
  }

  /** A socket of the user opened on this process. */
  async connected(user: string): Promise<void> {
    if (await this.state.connect(user)) await this.changed([user], true);
  }

  /** A socket of the user closed on this process. */
  async disconnected(user: string): Promise<void> {
    if (await this.state.disconnect(user)) await this.changed([user], false);
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

  /** Tells the room who of it is online now (after its participants changed). */
  async announceRoom(room: RoomRecord): Promise<void> {
    await this.inTurn(async () => {
      await this.publisher.toRoom(room.uuid, { type: 'presence', online_users: await this.onlineIn(room) });
    });
  }

  /** Users came or went: the listener hears of it, and their rooms are told. */
  private changed(users: readonly string[], online: boolean): Promise<void> {
    try {
      this.onChange(users, online);
    } catch (error) {
      this.logger.error({ err: error }, 'a presence change listener threw');
    }
    return this.announce(users);
  }

  /** Tells every room of these users who of it is online now. */
  private announce(users: readonly string[]): Promise<void> {
    return this.inTurn(async () => {
      const rooms = new Map<string, string[]>();
      for (const user of users) {
        for (const { room, participants } of await this.storage.roomsWithParticipants(user)) {
          rooms.set(room, participants);
        }
      }
      if (rooms.size === 0) return;
      const online = new Set(await this.state.online([...new Set([...rooms.values()].flat())]));
      await Promise.all(
        [...rooms].map(([room, participants]) =>
          this.publisher.toRoom(room, {
            type: 'presence',
            online_users: participants.filter((user) => online.has(user)),
          }),
        ),
      );
    });
  }

  /** Runs announcements one after another; a failed one is logged, and the next goes on. */
  private inTurn(announcement: () => Promise<void>): Promise<void> {
    const run = this.announcing.then(announcement).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'presence not announced');
    });
    this.announcing = run;
    return run;
  }
}
