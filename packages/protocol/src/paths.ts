/**
 * REST paths exactly as the original service spelled them, trailing slash included, and the
 * additive ones of the contract's second half in the same style. Servers also answer each one
 * without the slash.
 */
export const RestPaths = {
  createRoom: '/chats/chat-room/create/',
  listRooms: '/chats/chat-room/list/',
  /** Additive (contract, "Rooms that change"): one room, with `online_users`. */
  roomDetail: (uuid: string) => `/chats/chat-room/detail/${uuid}/`,
  /** Additive: POST adds clients to the room. */
  roomClients: (uuid: string) => `/chats/chat-room/detail/${uuid}/clients/`,
  /** Additive: DELETE removes that client from the room (or, called by the client, leaves it). */
  roomClient: (uuid: string, client: string) => `/chats/chat-room/detail/${uuid}/clients/${client}/`,
  createMessage: '/chats/messages/create/',
  messageDetail: (uuid: string) => `/chats/messages/detail/${uuid}/`,
  listMessages: '/chats/messages/list/',
  media: '/media/',
  health: '/healthz',
} as const;

/**
 * Query keys of a signed media URL (a message's `file_url`): its expiry in Unix seconds, and the
 * signature of the path and expiry. Clients never build these; servers read them.
 */
export const MediaUrlParams = { expires: 'expires', signature: 'signature' } as const;

/**
 * WebSocket path of one room; the access token travels as `?token=`, and a resuming client adds
 * `?since=` (see SinceParamSchema).
 */
export const roomSocketPath = (roomUuid: string): string => `/ws/chat/${roomUuid}/`;

/**
 * Additive (contract, "The inbox"): the WebSocket path of the caller's inbox, one socket for the
 * events of all of their rooms. Takes `?token=` and `?since=` as room sockets do.
 */
export const INBOX_SOCKET_PATH = '/ws/inbox/';
