import {
  CloseCode,
  INBOX_CLIENT_EVENT_TYPES,
  INBOX_SOCKET_PATH,
  InboxClientEventSchema,
  type InboxEvent,
  type Since,
} from '@hirechat/protocol';
import type { WebSocket } from 'ws';
import type { Caller } from '../domain/caller.js';
import { ChatError } from '../domain/chat-error.js';
import type { ChatService } from '../domain/chat-service.js';
import { inboxTopic } from '../ports/broadcaster.js';
import type { Logger } from '../ports/logger.js';
import { parseClientEvent } from './client-events.js';
import { PONG_FRAME, parseSince } from './frames.js';
import { SocketFeed } from './socket-feed.js';
import {
  type Admission,
  errorEvent,
  type Session,
  type SessionContext,
  type SocketChannel,
} from './socket-gateway.js';
import type { TopicHub } from './topic-hub.js';

const INBOX_PATHS = new Set([INBOX_SOCKET_PATH, INBOX_SOCKET_PATH.slice(0, -1)]);

/**
 * `/ws/inbox/?token=[&since=]`: one socket for the events of all of the caller's rooms, numbered
 * by the caller's own seq (contract, "The inbox"). A user may hold several.
 */
export class InboxChannel implements SocketChannel {
  constructor(
    private readonly chat: ChatService,
    private readonly hub: TopicHub,
    private readonly logger: Logger,
  ) {}

  matches(pathname: string): boolean {
    return INBOX_PATHS.has(pathname);
  }

  async admit(caller: Caller, url: URL): Promise<Admission> {
    const user = caller.id;
    const topic = inboxTopic(user);
    await this.hub.reserve(topic);
    try {
      const since = parseSince(url.searchParams.get('since'));
      // Read after subscribing: every event past this seq either comes live or is in the log.
      const startSeq =
        since === null || since instanceof ChatError
          ? (await this.chat.replayInbox(user, 'latest')).seq
          : null;
      return {
        label: 'inbox',
        release: () => this.hub.release(topic),
        open: (socket, context) => this.open(socket, user, startSeq, since, context),
      };
    } catch (error) {
      this.hub.release(topic);
      throw error;
    }
  }

  private open(
    socket: WebSocket,
    user: string,
    startSeq: number | null,
    since: Since | ChatError | null,
    { sender }: SessionContext,
  ): Session {
    const { chat, hub, logger } = this;
    const topic = inboxTopic(user);
    const feed = new SocketFeed<InboxEvent>(
      sender,
      {
        replay: (after) => chat.replayInbox(user, after),
        stateAfterReplay: async () => [],
        admits: () => true,
      },
      (end) => {
        logger.error(
          { err: end.reason === 'failed' ? end.error : null, user },
          'inbox log not read for a socket',
        );
        socket.close(CloseCode.InternalError, 'Internal error.');
      },
    );
    hub.join(topic, user, socket, feed);
    if (since instanceof ChatError) sender.send(JSON.stringify(errorEvent(since)));
    if (startSeq !== null) feed.follow(startSeq, hub.heardAfter(topic, startSeq));
    else if (since !== null && !(since instanceof ChatError)) feed.resume(since);
    return {
      handle: async (text) => {
        parseClientEvent(text, InboxClientEventSchema, INBOX_CLIENT_EVENT_TYPES);
        sender.send(PONG_FRAME);
      },
      closed: async () => {
        feed.stop();
        hub.leave(topic, user, socket);
      },
    };
  }
}
