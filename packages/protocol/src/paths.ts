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
 * WebSocket path of one room; the access token travels as `?token=`, and a resuming client adds
 * `?since=` (see SinceParamSchema).
 */
export const roomSocketPath = (roomUuid: string): string => `/ws/chat/${roomUuid}/`;
