export { ChatApiError } from './chat-api-error.js';
export { ChatClient, type ChatClientOptions } from './chat-client.js';
export type { MessagePage, NewFileMessage, NewTextMessage } from './rest-client.js';
export { type ConnectionStatus, RoomConnection, type RoomEventHandlers } from './room-connection.js';
export type { TokenSource } from './token-source.js';
