import { z } from 'zod';
import { ChatRoomBaseSchema } from './chat-room.js';
import { ErrorCodeSchema } from './errors.js';
import { UuidInputSchema, UuidSchema } from './ids.js';
import { MessageSchema } from './message.js';

// ---- server to client -------------------------------------------------------------------------

/**
 * Additive: the place of an event in its room's event log. Each room counts from 1, one step per
 * logged event, in the order the writes committed; the server assigns it in the write's own
 * transaction, so every process of a cluster agrees on it. A client that remembers the last seq it
 * saw can resume after it with the socket's `?since=` (see {@link SinceParamSchema}).
 */
export const SeqSchema = z.number().int().positive();

export const MessageCreatedEventSchema = z.object({
  type: z.literal('message_created'),
  message: MessageSchema,
  seq: SeqSchema,
});
export const MessageUpdatedEventSchema = z.object({
  type: z.literal('message_updated'),
  message: MessageSchema,
  seq: SeqSchema,
});
/** Carries the message as it was before it was deleted. */
export const MessageDeletedEventSchema = z.object({
  type: z.literal('message_deleted'),
  message: MessageSchema,
  seq: SeqSchema,
});
/**
 * The whole set of users typing in the room now. Typing is state, not history: it is neither logged
 * nor replayed, and carries no `seq`. A socket that resumes with `?since=` is sent the current set
 * instead, so that an indicator left over from before a drop is corrected.
 */
export const TypingEventSchema = z.object({ type: z.literal('typing'), typing_users: z.array(UuidSchema) });
export const MessageReadEventSchema = z.object({
  type: z.literal('message_read'),
  message_id: UuidSchema,
  user_id: UuidSchema,
  seq: SeqSchema,
});
/**
 * Additive (contract, "Rooms that change"): the room's participants changed. Sent once to the whole
 * room, so the room carries no per-caller fields. Logged and replayed like message events. A client
 * removed from the room is not sent it: their sockets to the room close with 4403 instead.
 */
export const RoomUpdatedEventSchema = z.object({
  type: z.literal('room_updated'),
  room: ChatRoomBaseSchema,
  seq: SeqSchema,
});
/**
 * Additive (contract, "Presence"): the room's participants who hold at least one open hirechat
 * socket (room or inbox) on any server process. Sent when a socket opens (after `synced`, where
 * `since` was given) and whenever the set changes; changes that come together (a crowd joining) are
 * told as one set, and the last set sent is exact. State, like typing: not logged, no `seq`.
 */
export const PresenceEventSchema = z.object({
  type: z.literal('presence'),
  online_users: z.array(UuidSchema),
});
/** Additive: the server's answer to a client event it could not take. The socket stays open. */
export const ErrorEventSchema = z.object({
  type: z.literal('error'),
  code: ErrorCodeSchema,
  detail: z.string(),
});
/**
 * Additive, only on sockets opened with `?since=<seq>`: the room's event log no longer reaches back
 * to that seq (or the seq is ahead of the room's), so events were missed that cannot be replayed.
 * Refetch the room's messages over REST; `synced` and live events follow.
 */
export const ResyncRequiredEventSchema = z.object({ type: z.literal('resync_required') });
/**
 * Additive, only on sockets opened with `?since=`: the replay is over. The socket has been sent
 * every event up to `seq`, the room's newest (0 when the room has none yet), and live events follow.
 * Remember the last seq seen and pass it as `since` when reconnecting.
 */
export const SyncedEventSchema = z.object({
  type: z.literal('synced'),
  seq: z.number().int().nonnegative(),
});

/**
 * Additive: the answer to a client's `ping`, sent to that socket alone. A client that hears nothing
 * for a while after its ping knows that the connection is dead, even where TCP has not noticed.
 */
export const PongEventSchema = z.object({ type: z.literal('pong') });

/** Every event a server sends on a room socket. */
export const ServerEventSchema = z.discriminatedUnion('type', [
  MessageCreatedEventSchema,
  MessageUpdatedEventSchema,
  MessageDeletedEventSchema,
  TypingEventSchema,
  MessageReadEventSchema,
  RoomUpdatedEventSchema,
  PresenceEventSchema,
  ErrorEventSchema,
  ResyncRequiredEventSchema,
  SyncedEventSchema,
  PongEventSchema,
]);
export type ServerEvent = z.infer<typeof ServerEventSchema>;
export type ServerEventType = ServerEvent['type'];
/** Server events by type: `ServerEventMap['message_created']` is that event's shape. */
export type ServerEventMap = { [E in ServerEvent as E['type']]: E };

/** Events about a room that every participant's socket receives: the logged ones, `typing` and `presence`. */
export type RoomEvent = Exclude<ServerEvent, { type: 'error' | 'resync_required' | 'synced' | 'pong' }>;
/** Room events that are kept in the room's event log, each with its `seq`. */
export type LoggedRoomEvent = Extract<RoomEvent, { seq: number }>;
export type LoggedRoomEventType = LoggedRoomEvent['type'];
/** A logged event before the server has given it its `seq`. */
export type UnsequencedRoomEvent = LoggedRoomEvent extends infer E
  ? E extends LoggedRoomEvent
    ? Omit<E, 'seq'>
    : never
  : never;
export const LOGGED_ROOM_EVENT_TYPES: readonly LoggedRoomEventType[] = [
  'message_created',
  'message_updated',
  'message_deleted',
  'message_read',
  'room_updated',
];

/** Whether the event is one of the logged kinds, which carry a `seq`. */
export function isLoggedRoomEvent(event: ServerEvent): event is LoggedRoomEvent {
  return 'seq' in event && event.type !== 'synced';
}

// ---- client to server -------------------------------------------------------------------------

export const TypingInputEventSchema = z.strictObject({
  type: z.literal('typing'),
  typing: z.boolean({ error: 'Must be true or false.' }),
});
export const MessageReadInputEventSchema = z.strictObject({
  type: z.literal('message_read'),
  message_id: UuidInputSchema,
});

/** Additive: asks the server for a `pong`, to tell a live connection from a silently dead one. */
export const PingInputEventSchema = z.strictObject({ type: z.literal('ping') });

/** Every event a client may send on a room socket. */
export const ClientEventSchema = z.discriminatedUnion('type', [
  TypingInputEventSchema,
  MessageReadInputEventSchema,
  PingInputEventSchema,
]);
export type ClientEvent = z.infer<typeof ClientEventSchema>;
export type ClientEventType = ClientEvent['type'];
export type ClientEventMap = { [E in ClientEvent as E['type']]: E };
export const CLIENT_EVENT_TYPES: readonly ClientEventType[] = ['typing', 'message_read', 'ping'];
