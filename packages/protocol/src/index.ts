export { ChatRoomSchema, type ChatRoom } from './chat-room.js';
export { CloseCode } from './close-codes.js';
export {
  DetailErrorBodySchema,
  type DetailErrorBody,
  ErrorBodySchema,
  type ErrorBody,
  ErrorCodeSchema,
  ErrorCodes,
  type ErrorCode,
  FieldErrorBodySchema,
  type FieldErrorBody,
  NON_FIELD_ERRORS,
} from './errors.js';
export {
  CLIENT_EVENT_TYPES,
  ClientEventSchema,
  type ClientEvent,
  type ClientEventMap,
  type ClientEventType,
  ErrorEventSchema,
  MessageCreatedEventSchema,
  MessageDeletedEventSchema,
  MessageReadEventSchema,
  MessageReadInputEventSchema,
  MessageUpdatedEventSchema,
  type RoomEvent,
  ServerEventSchema,
  type ServerEvent,
  type ServerEventMap,
  type ServerEventType,
  TypingEventSchema,
  TypingInputEventSchema,
} from './events.js';
export { toFieldErrors } from './field-errors.js';
export { UuidInputSchema, UuidSchema, type Uuid } from './ids.js';
export {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_TYPING_TIMEOUT_MS,
  MAX_CONTENT_LENGTH,
  MAX_FRAME_BYTES,
  MESSAGE_LIST_DEFAULT_LIMIT,
  MESSAGE_LIST_MAX_LIMIT,
} from './limits.js';
export { MessageSchema, TimestampSchema, type Message } from './message.js';
export { RestPaths, roomSocketPath } from './paths.js';
export {
  ChatRoomListQuerySchema,
  type ChatRoomListQuery,
  CreateChatRoomBodySchema,
  type CreateChatRoomBody,
  CreateMessageFieldsSchema,
  type CreateMessageFields,
  MessageListQuerySchema,
  type MessageListQuery,
  type MessageListQueryInput,
  UpdateMessageBodySchema,
  type UpdateMessageBody,
} from './rest.js';
