/**
 * REST paths exactly as the original service spelled them, trailing slash included. Servers also
 * answer each one without the slash.
 */
export const RestPaths = {
  createRoom: '/chats/chat-room/create/',
  listRooms: '/chats/chat-room/list/',
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
