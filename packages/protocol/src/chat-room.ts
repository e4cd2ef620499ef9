import { z } from 'zod';
import { UuidSchema } from './ids.js';
import { MessageSchema, TimestampSchema } from './message.js';

/** A chat room: one recruiter and one or more clients. */
export const ChatRoomSchema = z.object({
  uuid: UuidSchema,
  recruiter: UuidSchema,
  clients: z.array(UuidSchema),
  created_at: TimestampSchema,
  /** Additive: the newest message of the room, or null. */
  last_message: MessageSchema.nullable(),
  /** Additive: messages from others that the caller has not read. */
  unread_count: z.number().int().nonnegative(),
});
export type ChatRoom = z.infer<typeof ChatRoomSchema>;
