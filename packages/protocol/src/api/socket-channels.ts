import { z } from 'zod';
import { ClientEventSchema, ServerEventSchema } from '../events.js';
import { InboxClientEventSchema, InboxServerEventSchema } from '../inbox-events.js';
import { INBOX_SOCKET_PATH } from '../paths.js';
import { SINCE_LATEST, SinceParamSchema } from '../socket-query.js';

/** A union of events told apart by `type`, as the protocol exports one per socket and direction. */
export type EventUnion = z.ZodDiscriminatedUnion<readonly z.ZodObject[], 'type'>;
type EventTypeOf<U extends EventUnion> = z.infer<U> extends { type: infer T extends string } ? T : never;

/**
 * One WebSocket endpoint, as the AsyncAPI document describes it. Its events are the protocol's
 * unions; `sent` and `received` describe each of them, keyed by type, so that an event added to a
 * union does not compile until it is described.
 */
export interface SocketChannel<S extends EventUnion = EventUnion, C extends EventUnion = EventUnion> {
  /** Unique, camelCase: the channel's key in the document. */
  id: string;
  /** The path, parameters as `{name}`. */
  address: string;
  title: string;
  /** Who may connect, and what a client must know (Markdown). */
  description: string;
  /** A description of each `{name}` of the address. */
  params: Record<string, string>;
  /** The handshake's query parameters (input side). */
  query: z.ZodObject;
  /** Every event the server sends on it. */
  serverEvents: S;
  /** Every event a client may send on it. */
  clientEvents: C;
  /** What each server event means, and when it comes. */
  sent: Record<EventTypeOf<S>, string>;
  /** What each client event asks for. */
  received: Record<EventTypeOf<C>, string>;
}

/** Checks a channel's descriptions against its unions' types at compile time. */
export function socketChannel<S extends EventUnion, C extends EventUnion>(
  channel: SocketChannel<S, C>,
): SocketChannel {
  return channel as unknown as SocketChannel;
}

const TokenParamSchema = z.string().meta({ description: 'The access token (a JWT), as on REST.' });

/**
 * Every WebSocket endpoint of the hirechat plugin (contract, "WebSocket"). A new socket is one entry
 * here; a new event of a listed socket is one entry in its `sent` or `received`.
 */
export const SOCKET_CHANNELS: readonly SocketChannel[] = [
  socketChannel({
    id: 'room',
    address: '/ws/chat/{room}/',
    title: 'Room socket',
    description:
      'The live events of one chat room, for its participants, on the same port as REST. The server checks ' +
      'the token and the membership before it completes the handshake, so a socket that opens is already ' +
      'in its room; a refusal completes the handshake and then closes with 4401, 4403 or 4404, which a ' +
      'browser can read. An `Origin` outside the allowed origins is refused at the handshake (HTTP 403). ' +
      'Bad input gets an `error` event and the socket stays open. Events are sent only after the write ' +
      'that caused them has committed, in the order of the writes within the room.',
    params: { room: "The chat room's `uuid`." },
    query: z.object({
      token: TokenParamSchema,
      since: SinceParamSchema.optional().meta({
        description:
          'Resume: first every logged event after this `seq` (or `resync_required`), then the current ' +
          `\`typing\` set, then \`synced\`, then live events. \`0\` replays from the room's first event; ` +
          `\`${SINCE_LATEST}\` replays nothing and answers \`synced\` with the room's newest seq.`,
      }),
    }),
    serverEvents: ServerEventSchema,
    clientEvents: ClientEventSchema,
    sent: {
      message_created: 'A message was posted to the room.',
      message_updated: 'A message of the room was edited.',
      message_deleted: 'A message of the room was deleted; it carries the message as it was.',
      typing:
        'The whole set of users typing in the room now, whenever it changes. Not logged, carries no `seq`.',
      message_read: 'A participant read a message: they are now in its `read_by`, and `is_viewed` is true.',
      room_updated:
        "The room's participants changed (a client added, removed, or gone). Sent once to the whole room, so " +
        'the room carries no per-caller fields. A client who was removed is not sent it: their sockets to the ' +
        'room close with 4403 instead, and nothing of the room after it reaches them.',
      presence:
        "The room's participants who hold at least one open socket (room or inbox) on any server process. " +
        'Sent when the socket opens (after `synced` where `since` was given) and whenever the set changes. ' +
        'Changes that come together (within some 100 ms on one server process, or while the set before is ' +
        'still going out, as when a crowd joins) are told as one set; the last set sent is exact. ' +
        'Not logged, carries no `seq`.',
      error:
        'A client event could not be taken (not JSON, unknown type, missing field...); the socket stays open.',
      resync_required:
        'Only with `since`: the log no longer reaches back that far; refetch the room over REST. ' +
        '`typing`, `synced` and live events follow.',
      synced: "Only with `since`: the replay is over, up to `seq`, the room's newest; live events follow.",
      pong: 'The answer to a `ping`, to that socket alone.',
    },
    received: {
      typing: '`true` while typing (renew within the typing timeout, 5 s by default), `false` when stopped.',
      message_read: 'The caller read this message of the room.',
      ping: 'Asks for a `pong`, to tell a live connection from a silently dead one.',
    },
  }),
  socketChannel({
    id: 'inbox',
    address: INBOX_SOCKET_PATH,
    title: 'Inbox socket',
    description:
      'One socket for the events of all of the caller\'s rooms (contract, "The inbox"), each numbered by the ' +
      "caller's own `seq` (per user, from 1, in commit order). A user may hold several (tabs, devices). " +
      'It carries no typing and no presence. `since` replays exactly as on room sockets; the inbox log keeps ' +
      "at least the user's newest 1,000 events.",
    params: {},
    query: z.object({
      token: TokenParamSchema,
      since: SinceParamSchema.optional().meta({
        description:
          'Resume: first every inbox event after this `seq` (or `resync_required`), then `synced`, then live ' +
          `events. \`${SINCE_LATEST}\` replays nothing and answers \`synced\` with the newest seq.`,
      }),
    }),
    serverEvents: InboxServerEventSchema,
    clientEvents: InboxClientEventSchema,
    sent: {
      room_created: 'The caller became a participant of a new room; `room` is as they see it.',
      room_updated: "A room's participants changed, or the caller was added to an existing room.",
      room_removed: 'The caller left the room or was removed from it: nothing more of it follows.',
      message_created:
        "A message was posted in one of the caller's rooms; `unread_count` is the caller's after it.",
      message_updated: "A message of one of the caller's rooms was edited.",
      message_deleted:
        "A message was deleted; it carries the message as it was, and the caller's `unread_count`.",
      unread_changed:
        "The caller's unread count of a room changed by their own reads, on any of their devices.",
      synced: 'Only with `since`: the replay is over, up to `seq`, the newest; live events follow.',
      resync_required: 'Only with `since`: the log no longer reaches back that far; refetch the room list.',
      pong: 'The answer to a `ping`, to that socket alone.',
      error: 'A client event could not be taken; the socket stays open.',
    },
    received: {
      ping: 'Asks for a `pong`, to tell a live connection from a silently dead one.',
    },
  }),
];
