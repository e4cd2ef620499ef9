import type { LoggedRoomEvent, RoomEvent, Since } from '@hirechat/protocol';
import type { ChatStorage } from '../../ports/chat-storage.js';
import type { TypingState } from '../../ports/typing-state.js';
import type { Caller } from '../caller.js';
import { ChatError } from '../chat-error.js';
import { messageReadEvents } from '../events/change-events.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { MediaUrls } from '../media-urls.js';
import type { RoomQueue } from '../room-queue.js';
import { type Replay, replayFrom } from './replay.js';

/**
 * A socket's place in a room: who it is, and the room's seq when they were found in it. Checked
 * when the socket joins; every write it makes later is checked again, since participants change.
 */
export interface RoomMembership {
  readonly room: string;
  readonly user: string;
  /**
   * The room's seq read together with the check that let the user in: a change of participants
   * after it that leaves them out is their removal, which ends the socket.
   */
  readonly admittedSeq: number;
}

/** The live side of rooms: joining, reads, typing, and replays of the room's log. */
export class LiveRooms {
  constructor(
    private readonly storage: ChatStorage,
    private readonly typing: TypingState,
    private readonly publisher: EventPublisher,
    private readonly queue: RoomQueue,
    private readonly media: MediaUrls,
  ) {
    this.typing.onExpire((room, typingUsers) => {
      void this.queue.run(room, () =>
        this.publisher.toRoom(room, { type: 'typing', typing_users: typingUsers }),
      );
    });
  }

  /**
   * Checks that the caller may follow the room live, and answers the room's seq read in the same
   * statement. Unlike REST, which answers 404 either way, a socket is told `forbidden` apart from
   * `not_found` (the contract's 4403 and 4404).
   */
  async join(caller: Caller, room: string): Promise<RoomMembership> {
    const access = await this.storage.roomAccess(room, caller.id);
    if (!access) throw ChatError.notFound('No such chat room.');
    if (!access.participant) throw ChatError.of('forbidden', 'You are not in this chat room.');
    return { room, user: caller.id, admittedSeq: access.seq };
  }

  /** Adds the reader to the message's read_by, once. The sender reading their own changes nothing. */
  async markRead(membership: RoomMembership, messageUuid: string): Promise<void> {
    const record = await this.storage.getMessage(messageUuid);
    if (!record || record.chatRoom !== membership.room)
      throw ChatError.notFound('No such message in this room.');
    if (record.sender === membership.user) return;
    await this.queue.run(membership.room, async () => {
      // Null also for a reader no longer in the room: the write checks under the room's lock.
      const logged = await this.storage.addRead(messageUuid, membership.user, messageReadEvents());
      if (logged) {
        await this.publisher.committed({
          room: { uuid: membership.room, event: logged.event },
          inbox: logged.inbox,
          webhooks: logged.webhooks,
        });
      }
    });
  }

  async setTyping(membership: RoomMembership, typing: boolean): Promise<void> {
    // Only a participant starts typing; anyone may stop.
    if (typing && !(await this.storage.isParticipant(membership.room, membership.user))) {
      throw ChatError.of('forbidden', 'You are not in this chat room.');
    }
    await this.queue.run(membership.room, () => this.changeTyping(membership.room, membership.user, typing));
  }

  /** Takes the user out of the room's typing set (they left, or were removed). */
  async stopTyping(room: string, user: string): Promise<void> {
    await this.queue.run(room, () => this.changeTyping(room, user, false));
  }

  /**
   * As stopTyping, for a caller that runs in the room's queue already (a message was just sent):
   * the queue runs one task of a room at a time, so waiting in it again would wait forever.
   */
  async stopTypingInQueue(room: string, user: string): Promise<void> {
    await this.changeTyping(room, user, false);
  }

  /** The room's typing set now, for a socket that resumes (typing is never replayed). */
  async typingUsers(membership: RoomMembership): Promise<string[]> {
    return this.typing.get(membership.room);
  }

  /**
   * The room's logged events after `since`, for a socket that resumes there (or that missed live
   * events); `latest` asks only for the room's newest seq. Nothing of the room after the user's
   * removal is ever replayed to them, nor anything of a time they were out of it:
   *
   * - A removal after the socket was let in ends the replay: its events go up to the removal and
   *   no further, and the removal, which the socket's feed refuses to send, ends the socket. Where
   *   the log cannot show that stretch (it no longer reaches back, or `since` is ahead of it) and
   *   the user is out of the room now, the replay is their removal alone.
   * - Events from before the socket was let in that span a removal (the user was out, and was
   *   added back) are not replayed: the socket is told to resync instead.
   */
  async replay(membership: RoomMembership, since: Since): Promise<Replay<LoggedRoomEvent>> {
    // `latest` starts from now, but must still see a removal that came after the user was let in.
    const after = since === 'latest' ? membership.admittedSeq : since;
    const read = await this.storage.eventsAfter(membership.room, after);
    if (!read) throw ChatError.notFound('No such chat room.');
    const replay = replayFrom(after, read);
    if (replay.resync) {
      if (await this.storage.isParticipant(membership.room, membership.user)) return replay;
      return { resync: false, seq: replay.seq, events: await this.removalOf(membership) };
    }
    const { events } = replay;
    const removal = events.findIndex((event) => isRemoval(event, membership));
    const wasOut = events.some(
      (event) => event.seq <= membership.admittedSeq && excludes(event, membership.user),
    );
    if (removal >= 0) {
      // The removal alone where nothing before it may be replayed (`latest` asked for none).
      const sent = wasOut || since === 'latest' ? [events[removal]!] : events.slice(0, removal + 1);
      return { resync: false, seq: replay.seq, events: sent.map((event) => this.media.signEvent(event)) };
    }
    if (wasOut) return { resync: true, seq: replay.seq };
    if (since === 'latest') return { resync: false, seq: replay.seq, events: [] };
    // Logged when written, sent now: their file URLs must count from now, not from the write.
    return { ...replay, events: events.map((event) => this.media.signEvent(event)) };
  }

  /**
   * The change that took the user out of the room after they were let in, read from the log; a
   * log that no longer holds it is a failure, which closes the socket for the client to retry
   * (and be refused).
   */
  private async removalOf(membership: RoomMembership): Promise<LoggedRoomEvent[]> {
    const read = await this.storage.eventsAfter(membership.room, membership.admittedSeq);
    const removal = read?.events.find((event) => isRemoval(event, membership));
    if (!removal) throw new Error(`The removal of ${membership.user} from ${membership.room} is not logged`);
    return [removal];
  }

  private async changeTyping(room: string, user: string, typing: boolean): Promise<void> {
    const typingUsers = await this.typing.set(room, user, typing);
    if (typingUsers) await this.publisher.toRoom(room, { type: 'typing', typing_users: typingUsers });
  }
}

/** Whether the event is a change of the room's participants that left the user out. */
export function excludes(event: RoomEvent, user: string): boolean {
  return event.type === 'room_updated' && event.room.recruiter !== user && !event.room.clients.includes(user);
}

/** Whether the event took the member out of the room after they were let in. */
function isRemoval(event: LoggedRoomEvent, membership: RoomMembership): boolean {
  return event.seq > membership.admittedSeq && excludes(event, membership.user);
}
