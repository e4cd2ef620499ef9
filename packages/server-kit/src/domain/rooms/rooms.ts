import { randomUUID } from 'node:crypto';
import {
  type AddClientsBody,
  type ChatRoom,
  type ChatRoomDetail,
  type ChatRoomListQuery,
  type CreateChatRoomBody,
  MAX_ROOM_CLIENTS,
} from '@hirechat/protocol';
import type { ChatStorage } from '../../ports/chat-storage.js';
import type { Caller } from '../caller.js';
import { ChatError } from '../chat-error.js';
import { participantsChangedEvents, roomCreatedEvents } from '../events/change-events.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { LiveRooms } from '../live/live-rooms.js';
import type { MediaUrls } from '../media-urls.js';
import type { Presence } from '../presence/presence.js';
import type { RoomChangeRecord, RoomRecord } from '../records.js';
import type { RoomQueue } from '../room-queue.js';
import { nowTimestamp } from '../timestamp.js';
import { toChatRoom } from '../to-wire.js';

export interface RoomsDeps {
  storage: ChatStorage;
  media: MediaUrls;
  publisher: EventPublisher;
  presence: Presence;
  live: LiveRooms;
  queue: RoomQueue;
}

/** Rooms: created, listed, shown, and their clients added and removed (contract, "Rooms that change"). */
export class Rooms {
  constructor(private readonly deps: RoomsDeps) {}

  /** Creates the room, or answers the existing one with the same recruiter and set of clients. */
  async create(caller: Caller, body: CreateChatRoomBody): Promise<{ room: ChatRoom; created: boolean }> {
    const takesPart = body.recruiter === caller.id || body.clients.includes(caller.id);
    if (!takesPart && caller.role !== 'admin') {
      throw ChatError.of('forbidden', 'You can only create rooms that you take part in.');
    }
    const { room, created, inbox, webhooks } = await this.deps.storage.createRoom(
      {
        uuid: randomUUID(),
        recruiter: body.recruiter,
        clients: [...body.clients].sort(),
        createdAt: nowTimestamp(),
      },
      roomCreatedEvents(this.deps.media),
    );
    if (created) {
      await this.deps.queue.run(room.uuid, async () => {
        await this.deps.publisher.committed({ inbox, webhooks });
        this.deps.presence.announceRoom(room);
      });
      return { room: toChatRoom({ room, lastMessage: null, unreadCount: 0 }, this.deps.media), created };
    }
    return { room: await this.asSeenBy(caller, room), created };
  }

  /** The caller's rooms, latest activity first. */
  async list(caller: Caller, query: ChatRoomListQuery): Promise<ChatRoom[]> {
    const summaries = await this.deps.storage.listRooms({ viewer: caller.id, ...query });
    return summaries.map((summary) => toChatRoom(summary, this.deps.media));
  }

  /** One of the caller's rooms, with who of it is online; 404 for anyone outside it. */
  async detail(caller: Caller, uuid: string): Promise<ChatRoomDetail> {
    const [summary] = await this.deps.storage.listRooms({ viewer: caller.id, room: uuid });
    if (!summary) throw ChatError.notFound('No such chat room.');
    return {
      ...toChatRoom(summary, this.deps.media),
      online_users: await this.deps.presence.onlineIn(summary.room),
    };
  }

  /** Adds clients; only the room's recruiter, or an admin, may. Clients in the room already stay. */
  async addClients(caller: Caller, uuid: string, body: AddClientsBody): Promise<ChatRoom> {
    const room = await this.manageable(caller, uuid);
    if (room.recruiter !== caller.id && caller.role !== 'admin') {
      throw ChatError.of('forbidden', "Only the room's recruiter can add clients.");
    }
    if (body.clients.includes(room.recruiter)) {
      throw ChatError.invalidField('clients', 'The recruiter cannot also be a client.');
    }
    const present = new Set(room.clients);
    const after = present.size + body.clients.filter((client) => !present.has(client)).length;
    if (after > MAX_ROOM_CLIENTS) {
      throw ChatError.invalidField('clients', `A room holds at most ${MAX_ROOM_CLIENTS} clients.`);
    }
    const change = await this.change(uuid, () =>
      this.deps.storage.addClients(uuid, body.clients, participantsChangedEvents(this.deps.media)),
    );
    return this.asSeenBy(caller, change?.room ?? room);
  }

  /**
   * Takes a client out of the room: the room's recruiter or an admin may remove any client, and a
   * client may remove themselves (leave). Their room sockets close with 4403 as the change reaches
   * them, on every process.
   */
  async removeClient(caller: Caller, uuid: string, client: string): Promise<void> {
    const room = await this.manageable(caller, uuid);
    if (room.recruiter !== caller.id && caller.role !== 'admin' && caller.id !== client) {
      throw ChatError.of('forbidden', "Only the room's recruiter can remove another client.");
    }
    if (client === room.recruiter) {
      throw ChatError.invalidInput("A room's recruiter cannot be removed from it.");
    }
    const change = await this.change(uuid, () =>
      this.deps.storage.removeClient(uuid, client, participantsChangedEvents(this.deps.media)),
    );
    if (!change) throw ChatError.notFound('No such client in this room.');
    await this.deps.live.stopTyping(uuid, client);
  }

  /** The room, for a caller who may manage it or is in it; 404 for anyone else. */
  private async manageable(caller: Caller, uuid: string): Promise<RoomRecord> {
    const room = await this.deps.storage.getRoom(uuid);
    const inRoom = room !== null && (room.recruiter === caller.id || room.clients.includes(caller.id));
    if (!room || (!inRoom && caller.role !== 'admin')) throw ChatError.notFound('No such chat room.');
    return room;
  }

  /** Runs a change of participants in the room's queue and publishes what it logged. */
  private async change(
    uuid: string,
    write: () => ReturnType<ChatStorage['addClients']>,
  ): Promise<RoomChangeRecord | null> {
    return this.deps.queue.run(uuid, async () => {
      const logged = await write();
      if (!logged) return null;
      await this.deps.publisher.committed({
        room: { uuid, event: logged.event },
        inbox: logged.inbox,
        webhooks: logged.webhooks,
      });
      this.deps.presence.announceRoom(logged.record.room);
      return logged.record;
    });
  }

  /**
   * The room as the caller sees it. An admin outside the room manages it but does not read it
   * (README, "Who may"): they get its participants, with no last message and nothing unread.
   */
  private async asSeenBy(caller: Caller, room: RoomRecord): Promise<ChatRoom> {
    const [summary] = await this.deps.storage.listRooms({ viewer: caller.id, room: room.uuid });
    return toChatRoom(summary ?? { room, lastMessage: null, unreadCount: 0 }, this.deps.media);
  }
}
