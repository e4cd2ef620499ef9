export {
  type AsyncApiDocumentOptions,
  asyncApiDocument,
  type EventDirection,
  eventTypeOf,
  messageKey,
} from './api/asyncapi-document.js';
export { CLOSE_CODE_DOCS } from './api/close-code-docs.js';
export {
  ERROR_RESPONSES,
  type ErrorResponseDoc,
  type ErrorStatus,
  type HeaderDoc,
} from './api/error-responses.js';
export type { JsonObject } from './api/json-schema.js';
export {
  type ApiDocumentOptions,
  ASYNCAPI_DOCUMENT_PATH,
  OPENAPI_DOCUMENT_PATH,
  openApiDocument,
} from './api/openapi-document.js';
export {
  BODY_MEDIA_TYPES,
  type BodyKind,
  type HttpMethod,
  REST_OPERATIONS,
  type RestOperation,
  type RestResponseDoc,
} from './api/rest-operations.js';
export {
  type EventUnion,
  SOCKET_CHANNELS,
  type SocketChannel,
  socketChannel,
} from './api/socket-channels.js';
export {
  type ChatRoom,
  type ChatRoomBase,
  ChatRoomBaseSchema,
  type ChatRoomDetail,
  ChatRoomDetailSchema,
  ChatRoomSchema,
} from './chat-room.js';
export { CloseCode } from './close-codes.js';
export {
  DevSignInPaths,
  type DevToken,
  type DevTokenRequest,
  DevTokenRequestSchema,
  DevTokenSchema,
  type DevUser,
  DevUserListSchema,
  DevUserSchema,
} from './dev-sign-in.js';
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
export type {
  ErrorEvent,
  InboxMessageCreatedEvent,
  InboxMessageDeletedEvent,
  InboxMessageUpdatedEvent,
  InboxRoomCreatedEvent,
  InboxRoomRemovedEvent,
  InboxRoomUpdatedEvent,
  MessageCreatedEvent,
  MessageDeletedEvent,
  MessageReadEvent,
  MessageReadInputEvent,
  MessageUpdatedEvent,
  PingInputEvent,
  PongEvent,
  PresenceEvent,
  ResyncRequiredEvent,
  RoomUpdatedEvent,
  SyncedEvent,
  TypingEvent,
  TypingInputEvent,
  UnreadChangedEvent,
} from './event-types.js';
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
  PingInputEventSchema,
  PongEventSchema,
  PresenceEventSchema,
  ResyncRequiredEventSchema,
  type RoomEvent,
  RoomUpdatedEventSchema,
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
export {
  type HealthBody,
  HealthBodySchema,
  type HealthCheck,
  HealthCheckSchema,
  type HealthUnavailableBody,
  HealthUnavailableBodySchema,
} from './health.js';
export { type Uuid, UuidInputSchema, UuidSchema } from './ids.js';
export {
  INBOX_CLIENT_EVENT_TYPES,
  INBOX_EVENT_TYPES,
  type InboxClientEvent,
  InboxClientEventSchema,
  type InboxEvent,
  type InboxEventType,
  InboxMessageCreatedEventSchema,
  InboxMessageDeletedEventSchema,
  InboxMessageUpdatedEventSchema,
  InboxRoomCreatedEventSchema,
  InboxRoomRemovedEventSchema,
  InboxRoomUpdatedEventSchema,
  type InboxServerEvent,
  type InboxServerEventMap,
  InboxServerEventSchema,
  type InboxServerEventType,
  InboxUnreadChangedEventSchema,
  isInboxEvent,
  type UnsequencedInboxEvent,
} from './inbox-events.js';
export {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_MEDIA_URL_TTL_S,
  DEFAULT_TYPING_TIMEOUT_MS,
  INBOX_LOG_MIN_EVENTS,
  MAX_CONTENT_LENGTH,
  MAX_FRAME_BYTES,
  MAX_ROOM_CLIENTS,
  MESSAGE_LIST_DEFAULT_LIMIT,
  MESSAGE_LIST_MAX_LIMIT,
} from './limits.js';
export { type Message, MessageSchema, TimestampSchema } from './message.js';
export { type ParsedFields, parseFields } from './parse-fields.js';
export { INBOX_SOCKET_PATH, MediaUrlParams, RestPaths, roomSocketPath } from './paths.js';
export {
  type AddClientsBody,
  AddClientsBodySchema,
  type ChatRoomListQuery,
  ChatRoomListQuerySchema,
  type CreateChatRoomBody,
  CreateChatRoomBodySchema,
  type CreateMessageFields,
  CreateMessageFieldsSchema,
  type MediaDownloadQuery,
  MediaDownloadQuerySchema,
  type MessageListQuery,
  type MessageListQueryInput,
  MessageListQuerySchema,
  NoQuerySchema,
  type UpdateMessageBody,
  UpdateMessageBodySchema,
} from './rest.js';
export { BEARER_SUBPROTOCOL_PREFIX, bearerSubprotocols, SOCKET_SUBPROTOCOL } from './socket-auth.js';
export { SINCE_LATEST, type Since, SinceParamSchema } from './socket-query.js';
export { isStorableText, NOT_STORABLE_TEXT } from './text.js';
export {
  DEFAULT_UNREAD_NOTIFY_AFTER_S,
  DEFAULT_WEBHOOK_RETRY_HOURS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  MessageCreatedWebhookSchema,
  MessageDeletedWebhookSchema,
  MessageReadWebhookSchema,
  MessageUnreadWebhookSchema,
  MessageUpdatedWebhookSchema,
  RoomCreatedWebhookSchema,
  RoomMemberRemovedWebhookSchema,
  RoomUpdatedWebhookSchema,
  WEBHOOK_EVENT_TYPES,
  type WebhookEvent,
  type WebhookEventMap,
  WebhookEventSchema,
  type WebhookEventType,
  WebhookHeaders,
} from './webhooks/webhook-events.js';
