import {
  CLIENT_EVENT_TYPES,
  ClientEventSchema,
  CloseCode,
  type RoomEvent,
  type Since,
  UuidInputSchema,
} from '@hirechat/protocol';
import type { WebSocket } from 'ws';
import type { Caller } from '../domain/caller.js';
import { ChatError } from '../domain/chat-error.js';
import type { ChatService, RoomMembership } from '../domain/chat-service.js';
import { excludes } from '../domain/live/live-rooms.js';
import { roomTopic } from '../ports/broadcaster.js';
import type { Logger } from '../ports/logger.js';
import { parseClientEvent } from './client-events.js';
import { PONG_FRAME, parseSince } from './frames.js';
import { SocketFeed } from './socket-feed.js';
import type { Admission, Session, SessionContext, SocketChannel } from './socket-gateway.js';
import { errorEvent } from './socket-gateway.js';
import type { TopicHub } from './topic-hub.js';

const ROOM_PATH = /^\/ws\/chat\/([^/]+)\/?$/;

/**
 * `/ws/chat/<room>/?token=[&since=]`: a room's events, typing and reads (contract, "WebSocket").
 * A participant removed from the room is closed with 4403 when the change reaches the socket, and
 * sent nothing of the room after it.
 */
export class RoomChannel implements SocketChannel {
  constructor(
    private readonly chat: ChatService,
    private readonly hub: TopicHub,
    private readonly logger: Logger,
  ) {}

  matches(pathname: string): boolean {
    return pathname.startsWith('/ws/chat/');
  }

  async admit(caller: Caller, url: URL): Promise<Admission> {
    const roomId = UuidInputSchema.safeParse(ROOM_PATH.exec(url.pathname)?.[1]);
    if (!roomId.success) throw ChatError.notFound('No such chat room.');
    // Checked before subscribing, so that nobody makes this process follow a room not theirs...
    await this.chat.joinRoom(caller, roomId.data);
    const topic = roomTopic(roomId.data);
    await this.hub.reserve(topic);
    try {
      // ...and again after: every event past this seq either comes live or is in the log, and a
      // removal that committed meanwhile refuses the socket rather than slipping past it.
      const membership = await this.chat.joinRoom(caller, roomId.data);
      const since = parseSince(url.searchParams.get('since'));
      return {
        label: membership.room,
        release: () => this.hub.release(topic),
        open: (socket, context) => this.open(socket, membership, since, context),
      };
    } catch (error) {
      this.hub.release(topic);
      throw error;
    }
  }

  private open(
    socket: WebSocket,
    membership: RoomMembership,
    since: Since | ChatError | null,
    { online, sender }: SessionContext,
  ): Session {
    const { chat, hub, logger } = this;
    const topic = roomTopic(membership.room);
    const feed = new SocketFeed<RoomEvent>(
      sender,
      {
        replay: (after) => chat.replay(membership, after),
        stateAfterReplay: async () => {
          const typing = await stateOrNull(
            () => chat.typingUsers(membership),
            'typing',
            membership.room,
            logger,
          );
          return typing ? [{ type: 'typing', typing_users: typing }] : [];
        },
        admits: (event) => !excludes(event, membership.user),
      },
      (end) => {
        if (end.reason === 'excluded') {
          socket.close(CloseCode.Forbidden, 'You are no longer in this chat room.');
          return;
        }
        logger.error({ err: end.error, room: membership.room }, 'room log not read for a socket');
        socket.close(CloseCode.InternalError, 'Internal error.');
      },
    );
    hub.join(topic, membership.user, socket, feed);
    // A bad `since` is answered, then ignored: the socket works as one opened without it.
    if (since instanceof ChatError) sender.send(JSON.stringify(errorEvent(since)));
    const startSeq = membership.admittedSeq;
    if (since === null || since instanceof ChatError) feed.follow(startSeq, hub.heardAfter(topic, startSeq));
    else feed.resume(since);
    // Who is online, once the user counts as online too (contract, "Presence": sent on open).
    feed.sendInLine(async () => {
      await online;
      const users = await stateOrNull(
        () => chat.onlineUsers(membership),
        'presence',
        membership.room,
        logger,
      );
      return users && { type: 'presence', online_users: users };
    });

    return {
      handle: async (text) => {
        const event = parseClientEvent(text, ClientEventSchema, CLIENT_EVENT_TYPES);
        if (event.type === 'ping') sender.send(PONG_FRAME);
        else if (event.type === 'typing') await chat.setTyping(membership, event.typing);
        else await chat.markRead(membership, event.message_id);
      },
      closed: async () => {
        feed.stop();
        if (!hub.leave(topic, membership.user, socket)) return;
        // A user whose last socket in the room closed is no longer typing there.
        await chat.setTyping(membership, false).catch((err: unknown) => {
          logger.warn({ err, room: membership.room }, 'typing not cleared');
        });
      },
    };
  }
}

/**
 * Typing and presence are state, which the next change sends again: a socket whose read of either
 * fails (the database or Redis away for a moment) goes on without it, rather than being closed for
 * a message it can do without. A function of the module, not a closure made for every socket.
 */
async function stateOrNull<T>(
  read: () => Promise<T>,
  what: string,
  room: string,
  logger: Logger,
): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    logger.warn({ err, room }, `${what} not sent to a socket`);
    return null;
  }
}
