import { z } from 'zod';
import { UuidSchema } from './ids.js';

/** ISO 8601 with microseconds and an offset, as Django writes it: `2024-11-18T09:04:16.376929+00:00`. */
export const TimestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}[+-]\d{2}:\d{2}$/, 'Must be an ISO 8601 timestamp.');

/** A chat message. Every key is always present. */
export const MessageSchema = z.object({
  uuid: UuidSchema,
  /** The author. */
  sender: UuidSchema,
  chat_room: UuidSchema,
  /** URL path of the attached file, e.g. `/media/chat_files/cv_QTbo98H.pdf`, or null. */
  file: z.string().nullable(),
  /**
   * Additive: `file` with a signature and an expiry in its query
   * (`/media/chat_files/cv_QTbo98H.pdf?expires=1731923100&signature=...`), or null without a file.
   * It downloads without an `Authorization` header (so `<img src>` works) for at least the server's
   * media URL lifetime (default an hour) from when the message was sent. Anyone holding it can
   * download the file until it expires. Treat it as opaque: take a fresh one from a newer copy of
   * the message, never build one.
   */
  file_url: z.string().nullable(),
  /** The job the message is about, if any. */
  job: UuidSchema.nullable(),
  content: z.string().nullable(),
  timestamp: TimestampSchema,
  is_edited: z.boolean(),
  /** True once anyone other than the sender has read it. */
  is_viewed: z.boolean(),
  /** Readers other than the sender, in the order they read it. */
  read_by: z.array(UuidSchema),
});
export type Message = z.infer<typeof MessageSchema>;
