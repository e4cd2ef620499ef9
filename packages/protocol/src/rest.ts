import { z } from 'zod';
import { UuidInputSchema } from './ids.js';
import {
  MAX_CONTENT_LENGTH,
  MAX_ROOM_CLIENTS,
  MESSAGE_LIST_DEFAULT_LIMIT,
  MESSAGE_LIST_MAX_LIMIT,
} from './limits.js';
import { isStorableText, NOT_STORABLE_TEXT } from './text.js';

/*
 * Request bodies and queries. Every object is strict: an unknown field is an error that names it,
 * so a typo such as `?chatroom=` fails loudly instead of silently listing everything.
 * Form posts send every value as a string, so the schemas accept the form spelling too.
 */

/** A form sends one value as a string and repeated values as an array. */
const oneOrMany = <T extends z.ZodArray>(list: T) =>
  z.preprocess((value) => (typeof value === 'string' ? [value] : value), list);

/** An empty form field means "not given". */
const emptyAsNull = (value: unknown) => (value === '' ? null : value);

const optionalUuid = z.preprocess(emptyAsNull, UuidInputSchema.nullable().optional());

/**
 * The query of every path that takes none (all but the two lists): any parameter is a 400 that
 * names it, as on the lists, so that no parameter is ever silently ignored.
 */
export const NoQuerySchema = z.strictObject({});

/** POST /chats/chat-room/create/ */
export const CreateChatRoomBodySchema = z
  .strictObject({
    recruiter: UuidInputSchema,
    // One array with its own minimum, rather than a pipe into a second one, so that the input side
    // (what the API documents show) keeps `clients` required.
    clients: oneOrMany(
      z
        .array(UuidInputSchema, { error: 'Must be a list of UUIDs.' })
        .min(1, 'Name at least one client.')
        .max(MAX_ROOM_CLIENTS, `A room holds at most ${MAX_ROOM_CLIENTS} clients.`),
    ),
  })
  .superRefine((body, ctx) => {
    if (new Set(body.clients).size !== body.clients.length) {
      ctx.addIssue({ code: 'custom', path: ['clients'], message: 'Clients must not repeat.' });
    }
    if (body.clients.includes(body.recruiter)) {
      ctx.addIssue({ code: 'custom', path: ['clients'], message: 'The recruiter cannot also be a client.' });
    }
  });
export type CreateChatRoomBody = z.infer<typeof CreateChatRoomBodySchema>;

/**
 * POST /chats/chat-room/detail/{uuid}/clients/ — additive (contract, "Rooms that change"). Clients
 * who are in the room already are left as they are, so the call can be repeated.
 */
export const AddClientsBodySchema = z
  .strictObject({
    clients: oneOrMany(
      z
        .array(UuidInputSchema)
        .min(1, 'Name at least one client.')
        .max(MAX_ROOM_CLIENTS, `A room holds at most ${MAX_ROOM_CLIENTS} clients.`),
    ),
  })
  .superRefine((body, ctx) => {
    if (new Set(body.clients).size !== body.clients.length) {
      ctx.addIssue({ code: 'custom', path: ['clients'], message: 'Clients must not repeat.' });
    }
  });
export type AddClientsBody = z.infer<typeof AddClientsBodySchema>;

/** GET /chats/chat-room/list/ */
export const ChatRoomListQuerySchema = z.strictObject({
  recruiter: UuidInputSchema.optional(),
  client: UuidInputSchema.optional(),
});
export type ChatRoomListQuery = z.infer<typeof ChatRoomListQuerySchema>;

/**
 * Characters that show nothing: white space, controls, and the code points Unicode says to ignore
 * when rendering (zero-width spaces and joiners, the word joiner, the soft hyphen, ...).
 */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Default_Ignorable_Code_Point}]*$/u;

/**
 * A message's text: at most MAX_CONTENT_LENGTH characters, storable on every storage as sent (see
 * isStorableText), with at least one that shows, so that no message looks empty (issue 9, fault
 * 5). It is stored as sent, white space included.
 */
const contentSchema = z
  .string({ error: 'Must be a string.' })
  .max(MAX_CONTENT_LENGTH, `Must be at most ${MAX_CONTENT_LENGTH} characters.`)
  .refine(isStorableText, { message: NOT_STORABLE_TEXT, abort: true })
  .refine((content) => !INVISIBLE.test(content), 'May not be blank.');

/**
 * POST /chats/messages/create/ — the text fields. The file travels as a multipart part beside
 * them; exactly one of `content` and `file` must be given.
 */
export const CreateMessageFieldsSchema = z.strictObject({
  chat_room: UuidInputSchema,
  job: optionalUuid,
  content: z.preprocess(emptyAsNull, contentSchema.nullable().optional()),
});
export type CreateMessageFields = z.infer<typeof CreateMessageFieldsSchema>;

/** PATCH or PUT /chats/messages/detail/{uuid}/ — only the content can change. */
export const UpdateMessageBodySchema = z
  .strictObject({
    content: contentSchema,
    file: z.unknown().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.file !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['file'],
        message: 'A file cannot be replaced. Delete the message and create it again with the new file.',
      });
    }
  })
  .transform(({ content }) => ({ content }));
export type UpdateMessageBody = z.infer<typeof UpdateMessageBodySchema>;

/**
 * GET /chats/messages/list/ — cursors are message UUIDs. A cursor stays a place in the list after
 * its message is deleted: the server keeps the position of deleted messages, so that a page's
 * `Link` can always be followed (issue 9, fault 4).
 */
export const MessageListQuerySchema = z
  .strictObject({
    chat_room: UuidInputSchema.optional(),
    sender: UuidInputSchema.optional(),
    sender_email: z.email({ error: 'Must be a valid email address.' }).optional(),
    limit: z.coerce
      .number({ error: 'Must be a whole number.' })
      .int('Must be a whole number.')
      .min(1, 'Must be at least 1.')
      .max(MESSAGE_LIST_MAX_LIMIT, `Must be at most ${MESSAGE_LIST_MAX_LIMIT}.`)
      .default(MESSAGE_LIST_DEFAULT_LIMIT),
    /** Answer the messages older than this one. */
    before: UuidInputSchema.optional(),
    /** Answer the messages newer than this one. */
    after: UuidInputSchema.optional(),
  })
  .refine((query) => !(query.before && query.after), {
    path: ['before'],
    message: 'Give at most one of before and after.',
  });
export type MessageListQuery = z.infer<typeof MessageListQuerySchema>;
/** The query as a client writes it, before defaults. */
export type MessageListQueryInput = z.input<typeof MessageListQuerySchema>;

const signedParam = z.union([z.string(), z.array(z.string())]).optional();

/**
 * GET /media/chat_files/{name} — the query of a message's signed `file_url` (contract, "Files,
 * continued"): with both, the download needs no token. Treat them as opaque.
 */
export const MediaDownloadQuerySchema = z.strictObject({
  // Any spelling is taken here, a repeated one too: a signed query that is not exactly as signed is
  // refused as a missing token is (401), never as bad input (contract, "Files, continued").
  expires: signedParam.meta({ description: "Part of a message's signed `file_url`: when it expires." }),
  signature: signedParam.meta({ description: "Part of a message's signed `file_url`: its signature." }),
});
export type MediaDownloadQuery = z.infer<typeof MediaDownloadQuerySchema>;
