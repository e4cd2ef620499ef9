import { z } from 'zod';
import { ErrorCodeSchema } from './errors.js';
import { UuidInputSchema, UuidSchema } from './ids.js';
import { MessageSchema } from './message.js';

// ---- server to client -------------------------------------------------------------------------

export const MessageCreatedEventSchema = z.object({
  type: z.literal('message_created'),
  message: MessageSchema,
});
export const MessageUpdatedEventSchema = z.object({
  type: z.literal('message_updated'),
  message: MessageSchema,
});
/** Carries the message as it was before it was deleted. */
export const MessageDeletedEventSchema = z.object({
  type: z.literal('message_deleted'),
  message: MessageSchema,
});
/** The whole set of users typing in the room now. */
export const TypingEventSchema = z.object({ type: z.literal('typing'), typing_users: z.array(UuidSchema) });
export const MessageReadEventSchema = z.object({
  type: z.literal('message_read'),
  message_id: UuidSchema,
  user_id: UuidSchema,
});
/** Additive: the server's answer to a client event it could not take. The socket stays open. */
export const ErrorEventSchema = z.object({
  type: z.literal('error'),
  code: ErrorCodeSchema,
  detail: z.string(),
});

/** Every event a server sends on a room socket. */
export const ServerEventSchema = z.discriminatedUnion('type', [
  MessageCreatedEventSchema,
  MessageUpdatedEventSchema,
  MessageDeletedEventSchema,
  TypingEventSchema,
  MessageReadEventSchema,
  ErrorEventSchema,
]);
export type ServerEvent = z.infer<typeof ServerEventSchema>;
export type ServerEventType = ServerEvent['type'];
/** Server events by type: `ServerEventMap['message_created']` is that event's shape. */
export type ServerEventMap = { [E in ServerEvent as E['type']]: E };

/** Events about a room that every participant's socket receives (all but `error`). */
export type RoomEvent = Exclude<ServerEvent, { type: 'error' }>;

// ---- client to server -------------------------------------------------------------------------

export const TypingInputEventSchema = z.strictObject({
  type: z.literal('typing'),
  typing: z.boolean({ error: 'Must be true or false.' }),
});
export const MessageReadInputEventSchema = z.strictObject({
  type: z.literal('message_read'),
  message_id: UuidInputSchema,
});

/** Every event a client may send on a room socket. */
export const ClientEventSchema = z.discriminatedUnion('type', [
  TypingInputEventSchema,
  MessageReadInputEventSchema,
]);
export type ClientEvent = z.infer<typeof ClientEventSchema>;
export type ClientEventType = ClientEvent['type'];
export type ClientEventMap = { [E in ClientEvent as E['type']]: E };
export const CLIENT_EVENT_TYPES: readonly ClientEventType[] = ['typing', 'message_read'];
