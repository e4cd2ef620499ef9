// The protocol's shapes and constants that an app works with, so that it imports this package alone
// and never '@hirechat/protocol', which it only has through this one. The zod schemas stay there:
// an app that validates payloads itself depends on the protocol package directly.
export {
  type ChatRoom,
  type ChatRoomListQuery,
  type ClientEvent,
  type ClientEventMap,
  type ClientEventType,
  CloseCode,
  type CreateChatRoomBody,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_TYPING_TIMEOUT_MS,
  type DetailErrorBody,
  type ErrorBody,
  type ErrorCode,
  ErrorCodes,
  type ErrorEvent,
  type FieldErrorBody,
  type LoggedRoomEvent,
  type LoggedRoomEventType,
  MAX_CONTENT_LENGTH,
  MAX_FRAME_BYTES,
  MESSAGE_LIST_DEFAULT_LIMIT,
  MESSAGE_LIST_MAX_LIMIT,
  type Message,
  type MessageCreatedEvent,
  type MessageDeletedEvent,
  type MessageListQuery,
  type MessageListQueryInput,
  type MessageReadEvent,
  type MessageReadInputEvent,
  type MessageUpdatedEvent,
  NON_FIELD_ERRORS,
  type PingInputEvent,
  type PongEvent,
  type ResyncRequiredEvent,
  type RoomEvent,
  type ServerEvent,
  type ServerEventMap,
  type ServerEventType,
  SINCE_LATEST,
  type Since,
  type SyncedEvent,
  type TypingEvent,
  type TypingInputEvent,
  type UpdateMessageBody,
  type Uuid,
} from '@hirechat/protocol';
export { ChatApiError, type ReceivedErrorBody } from './chat-api-error.js';
export { ChatClient, type ChatClientOptions } from './chat-client.js';
export { DEFAULT_HEARTBEAT, type HeartbeatOptions } from './heartbeat.js';
export {
  backoffDelay,
  type CloseAction,
  closeAction,
  DEFAULT_RECONNECT,
  type ReconnectOptions,
} from './reconnect-policy.js';
export type { MessagePage, NewFileMessage, NewTextMessage } from './rest-client.js';
export { type ConnectOptions, RoomConnection } from './room-connection.js';
export { RoomConnectionError } from './room-connection-error.js';
export type {
  CloseInfo,
  ConnectionStatus,
  ResyncEvent,
  RoomConnectionEvents,
  RoomEventHandlers,
} from './room-events.js';
export type { TokenSource } from './token-source.js';
export { DEFAULT_TYPING, type TypingOptions } from './typing-signal.js';
