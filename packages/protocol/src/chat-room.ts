import { z } from 'zod';
import { UuidSchema } from './ids.js';
import { MessageSchema, TimestampSchema } from './message.js';

/**
 * A chat room as every participant sees it alike: the seed's fields. Events sent to a whole room
 * (the room socket's `room_updated`) and webhooks carry this shape, since they have no one caller.
 */
export const ChatRoomBaseSchema = z.object({
  uuid: UuidSchema,
  recruiter: UuidSchema,
  /** Client UUIDs, sorted. */
  clients: z.array(UuidSchema),
  created_at: TimestampSchema,
});
export type ChatRoomBase = z.infer<typeof ChatRoomBaseSchema>;

/** A chat room as one caller sees it: one recruiter and its clients, with the caller's own fields. */
export const ChatRoomSchema = ChatRoomBaseSchema.extend({
  /** Additive: the newest message of the room, or null. */
  last_message: MessageSchema.nullable(),
  /** Additive: messages from others that the caller has not read. */
  unread_count: z.number().int().nonnegative(),
});
export type ChatRoom = z.infer<typeof ChatRoomSchema>;

/**
 * Additive: the answer of `GET /chats/chat-room/detail/{uuid}/`, a ChatRoom with the participants
 * who hold an open socket now (contract, "Presence").
 */
export const ChatRoomDetailSchema = ChatRoomSchema.extend({
  online_users: z.array(UuidSchema),
});
export type ChatRoomDetail = z.infer<typeof ChatRoomDetailSchema>;
