export { type ChatRoom, ChatRoomSchema } from './chat-room.js';
export { CloseCode } from './close-codes.js';
export {
  type DetailErrorBody,
  DetailErrorBodySchema,
  type ErrorBody,
  ErrorBodySchema,
  type ErrorCode,
  ErrorCodeSchema,
  ErrorCodes,
  type FieldErrorBody,
  FieldErrorBodySchema,
  NON_FIELD_ERRORS,
} from './errors.js';
export {
  CLIENT_EVENT_TYPES,
  type ClientEvent,
  type ClientEventMap,
  ClientEventSchema,
  type ClientEventType,
  ErrorEventSchema,
  isLoggedRoomEvent,
  LOGGED_ROOM_EVENT_TYPES,
  type LoggedRoomEvent,
  type LoggedRoomEventType,
  MessageCreatedEventSchema,
  MessageDeletedEventSchema,
  MessageReadEventSchema,
  MessageReadInputEventSchema,
  MessageUpdatedEventSchema,
  ResyncRequiredEventSchema,
  type RoomEvent,
  SeqSchema,
  type ServerEvent,
  type ServerEventMap,
  ServerEventSchema,
  type ServerEventType,
  SyncedEventSchema,
  TypingEventSchema,
  TypingInputEventSchema,
  type UnsequencedRoomEvent,
} from './events.js';
export { toFieldErrors } from './field-errors.js';
export { type Uuid, UuidInputSchema, UuidSchema } from './ids.js';
export {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_TYPING_TIMEOUT_MS,
  MAX_CONTENT_LENGTH,
  MAX_FRAME_BYTES,
  MESSAGE_LIST_DEFAULT_LIMIT,
  MESSAGE_LIST_MAX_LIMIT,
} from './limits.js';
export { type Message, MessageSchema, TimestampSchema } from './message.js';
export { type ParsedFields, parseFields } from './parse-fields.js';
export { RestPaths, roomSocketPath } from './paths.js';
export {
  type ChatRoomListQuery,
  ChatRoomListQuerySchema,
  type CreateChatRoomBody,
  CreateChatRoomBodySchema,
  type CreateMessageFields,
  CreateMessageFieldsSchema,
  type MessageListQuery,
  type MessageListQueryInput,
  MessageListQuerySchema,
  NoQuerySchema,
  type UpdateMessageBody,
  UpdateMessageBodySchema,
} from './rest.js';
export { SINCE_LATEST, type Since, SinceParamSchema } from './socket-query.js';
