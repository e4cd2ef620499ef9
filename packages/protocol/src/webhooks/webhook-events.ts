import { z } from 'zod';
import { ChatRoomBaseSchema } from '../chat-room.js';
import { UuidSchema } from '../ids.js';
import { MessageSchema, TimestampSchema } from '../message.js';

/*
 * Additive (contract, "Webhooks: telling the platform what happened, and whom to notify"): the
 * events the reference server sends to the platform's URLs, and that server-kit's `onEvent` hook
 * receives in process. One body shape: `{"type": "<type>", "timestamp": "<ISO 8601>", "data": {...}}`,
 * where `timestamp` is when the change happened (the same on every retry of one event).
 */

const at = { timestamp: TimestampSchema };

/** A room was created. `room` carries no per-caller fields: a webhook has no one caller. */
export const RoomCreatedWebhookSchema = z.object({
  type: z.literal('room.created'),
  ...at,
  data: z.object({ room: ChatRoomBaseSchema }),
});
/** The room's participants changed (clients added or removed); `room` is the room after it. */
export const RoomUpdatedWebhookSchema = z.object({
  type: z.literal('room.updated'),
  ...at,
  data: z.object({ room: ChatRoomBaseSchema }),
});
/** A client left the room or was removed from it (sent after the removal's `room.updated`). */
export const RoomMemberRemovedWebhookSchema = z.object({
  type: z.literal('room.member_removed'),
  ...at,
  data: z.object({ room_id: UuidSchema, user_id: UuidSchema }),
});
export const MessageCreatedWebhookSchema = z.object({
  type: z.literal('message.created'),
  ...at,
  data: z.object({ message: MessageSchema }),
});
/** A message's content was edited; `message` is the message as it is now. */
export const MessageUpdatedWebhookSchema = z.object({
  type: z.literal('message.updated'),
  ...at,
  data: z.object({ message: MessageSchema }),
});
/** A message was deleted; `message` is the message as it was. */
export const MessageDeletedWebhookSchema = z.object({
  type: z.literal('message.deleted'),
  ...at,
  data: z.object({ message: MessageSchema }),
});
/** A participant read a message (once per reader and message). */
export const MessageReadWebhookSchema = z.object({
  type: z.literal('message.read'),
  ...at,
  data: z.object({ message_id: UuidSchema, user_id: UuidSchema, chat_room: UuidSchema }),
});
/**
 * `user_id`, a participant, has neither read `message` nor been online (any open hirechat socket,
 * on any process) within the server's unread delay (`UNREAD_NOTIFY_AFTER_S`, default 300 s) of it
 * being sent: the moment to email or push them. At most one per user and room until that user
 * next reads a message of the room or comes online. `message` is the first message they missed,
 * as it is when the event is made.
 */
export const MessageUnreadWebhookSchema = z.object({
  type: z.literal('message.unread'),
  ...at,
  data: z.object({ message: MessageSchema, user_id: UuidSchema }),
});

/** Every event a webhook carries (and server-kit's `onEvent` hook receives), by `type`. */
export const WebhookEventSchema = z.discriminatedUnion('type', [
  RoomCreatedWebhookSchema,
  RoomUpdatedWebhookSchema,
  RoomMemberRemovedWebhookSchema,
  MessageCreatedWebhookSchema,
  MessageUpdatedWebhookSchema,
  MessageDeletedWebhookSchema,
  MessageReadWebhookSchema,
  MessageUnreadWebhookSchema,
]);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
export type WebhookEventType = WebhookEvent['type'];
/** Webhook events by type: `WebhookEventMap['message.unread']` is that event's shape. */
export type WebhookEventMap = { [E in WebhookEvent as E['type']]: E };

export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [
  'room.created',
  'room.updated',
  'room.member_removed',
  'message.created',
  'message.updated',
  'message.deleted',
  'message.read',
  'message.unread',
];

/**
 * The headers of a webhook request, as the Standard Webhooks specification names them:
 * `webhook-id` (the same on every retry of one event, for the receiver to drop duplicates),
 * `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`).
 */
export const WebhookHeaders = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** How long a webhook request may take before it counts as failed and is retried (`WEBHOOK_TIMEOUT_MS`). */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5_000;
/** For how long after an event its delivery is retried before it is kept as failed (`WEBHOOK_RETRY_HOURS`). */
export const DEFAULT_WEBHOOK_RETRY_HOURS = 24;
/** Seconds after which a message that a participant missed is told of (`UNREAD_NOTIFY_AFTER_S`). */
export const DEFAULT_UNREAD_NOTIFY_AFTER_S = 300;
