import { z } from 'zod';
import { ChatRoomSchema } from './chat-room.js';
import {
  ErrorEventSchema,
  MessageCreatedEventSchema,
  MessageDeletedEventSchema,
  MessageUpdatedEventSchema,
  PingInputEventSchema,
  PongEventSchema,
  ResyncRequiredEventSchema,
  SeqSchema,
  SyncedEventSchema,
} from './events.js';
import { UuidSchema } from './ids.js';

/*
 * Additive (contract, "The inbox: one socket for all of a user's rooms"): the events of
 * `/ws/inbox/`. Each logged one carries the user's own `seq`: every user counts their inbox events
 * from 1, in commit order, and `?since=` replays them as room sockets replay a room's.
 */

const UnreadCountSchema = z.number().int().nonnegative();

/** The user became a participant of a new room. `room` is as they see it. */
export const InboxRoomCreatedEventSchema = z.object({
  type: z.literal('room_created'),
  room: ChatRoomSchema,
  seq: SeqSchema,
});
/** The room's participants changed, or the user was added to an existing room. */
export const InboxRoomUpdatedEventSchema = z.object({
  type: z.literal('room_updated'),
  room: ChatRoomSchema,
  seq: SeqSchema,
});
/** The user left the room or was removed from it: they hear nothing more of it. */
export const InboxRoomRemovedEventSchema = z.object({
  type: z.literal('room_removed'),
  room_id: UuidSchema,
  seq: SeqSchema,
});
/** A message was posted in one of the user's rooms; `unread_count` is the user's after it. */
export const InboxMessageCreatedEventSchema = MessageCreatedEventSchema.extend({
  unread_count: UnreadCountSchema,
});
export const InboxMessageUpdatedEventSchema = MessageUpdatedEventSchema.extend({});
/** Carries the message as it was; `unread_count` is the user's after the delete. */
export const InboxMessageDeletedEventSchema = MessageDeletedEventSchema.extend({
  unread_count: UnreadCountSchema,
});
/** The user's unread count of a room changed by their own reads, on any of their devices. */
export const InboxUnreadChangedEventSchema = z.object({
  type: z.literal('unread_changed'),
  room_id: UuidSchema,
  unread_count: UnreadCountSchema,
  seq: SeqSchema,
});

/** Every event a server sends on an inbox socket. */
export const InboxServerEventSchema = z.discriminatedUnion('type', [
  InboxRoomCreatedEventSchema,
  InboxRoomUpdatedEventSchema,
  InboxRoomRemovedEventSchema,
  InboxMessageCreatedEventSchema,
  InboxMessageUpdatedEventSchema,
  InboxMessageDeletedEventSchema,
  InboxUnreadChangedEventSchema,
  SyncedEventSchema,
  ResyncRequiredEventSchema,
  PongEventSchema,
  ErrorEventSchema,
]);
export type InboxServerEvent = z.infer<typeof InboxServerEventSchema>;
export type InboxServerEventType = InboxServerEvent['type'];
/** Inbox events by type: `InboxServerEventMap['message_created']` is that event's shape. */
export type InboxServerEventMap = { [E in InboxServerEvent as E['type']]: E };

/** Inbox events kept in the user's inbox log, each with the user's `seq`. */
export type InboxEvent = Exclude<InboxServerEvent, { type: 'synced' | 'resync_required' | 'pong' | 'error' }>;
export type InboxEventType = InboxEvent['type'];
/** An inbox event before the server has given it its `seq`. */
export type UnsequencedInboxEvent = InboxEvent extends infer E
  ? E extends InboxEvent
    ? Omit<E, 'seq'>
    : never
  : never;
export const INBOX_EVENT_TYPES: readonly InboxEventType[] = [
  'room_created',
  'room_updated',
  'room_removed',
  'message_created',
  'message_updated',
  'message_deleted',
  'unread_changed',
];

/** Whether the inbox event is one of the logged kinds, which carry a `seq`. */
export function isInboxEvent(event: InboxServerEvent): event is InboxEvent {
  return (INBOX_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Every event a client may send on an inbox socket: only `ping`. */
export const InboxClientEventSchema = z.discriminatedUnion('type', [PingInputEventSchema]);
export type InboxClientEvent = z.infer<typeof InboxClientEventSchema>;
export const INBOX_CLIENT_EVENT_TYPES: readonly InboxClientEvent['type'][] = ['ping'];
