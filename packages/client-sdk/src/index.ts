// The protocol's shapes and constants that an app works with, so that it imports this package alone
// and never '@hirechat/protocol', which it only has through this one. The zod schemas stay there:
// an app that validates payloads itself depends on the protocol package directly.
export {
  type AddClientsBody,
  type ChatRoom,
  type ChatRoomBase,
  type ChatRoomDetail,
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
  INBOX_LOG_MIN_EVENTS,
  type InboxEvent,
  type InboxEventType,
  type InboxMessageCreatedEvent,
  type InboxMessageDeletedEvent,
  type InboxMessageUpdatedEvent,
  type InboxRoomCreatedEvent,
  type InboxRoomRemovedEvent,
  type InboxRoomUpdatedEvent,
  type InboxServerEvent,
  type InboxServerEventMap,
  type InboxServerEventType,
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
  type PresenceEvent,
  type ResyncRequiredEvent,
  type RoomEvent,
  type RoomUpdatedEvent,
  type ServerEvent,
  type ServerEventMap,
  type ServerEventType,
  SINCE_LATEST,
  type Since,
  type SyncedEvent,
  type TypingEvent,
  type TypingInputEvent,
  type UnreadChangedEvent,
  type UpdateMessageBody,
  type Uuid,
} from '@hirechat/protocol';
export { ChatApiError, type ReceivedErrorBody } from './chat-api-error.js';
export { ChatClient, type ChatClientOptions } from './chat-client.js';
export type { CloseInfo, ConnectionStatus } from './connection-events.js';
export { DEFAULT_HEARTBEAT, type HeartbeatOptions } from './heartbeat.js';
export type { InboxResyncEvent, LiveInboxEvents } from './inbox/inbox-events.js';
export { type InboxOptions, LiveInbox } from './inbox/live-inbox.js';
export type { LiveSocketOptions } from './live-socket.js';
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
export type { ResyncEvent, RoomConnectionEvents, RoomEventHandlers } from './room-events.js';
export type { SocketTokenTransport } from './socket-handshake.js';
export type { TokenSource } from './token-source.js';
export { DEFAULT_TYPING, type TypingOptions } from './typing-signal.js';
