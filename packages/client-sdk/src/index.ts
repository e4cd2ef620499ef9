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
