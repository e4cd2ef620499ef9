/** Largest WebSocket frame a server accepts; a larger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Longest text a message may carry, in characters. */
export const MAX_CONTENT_LENGTH = 10_000;

/**
 * Most clients a room may hold (besides its recruiter). Every change to a room tells each
 * participant the whole room, so its cost grows with the square of the room's size: without a
 * bound, one request naming thousands of clients could exhaust the server's memory and disk.
 */
export const MAX_ROOM_CLIENTS = 1_000;

/** Page size of the message list when the query names none, and the largest it may name. */
export const MESSAGE_LIST_DEFAULT_LIMIT = 50;
export const MESSAGE_LIST_MAX_LIMIT = 200;

/** A typist leaves the typing set after this long without a renewed `typing: true`. */
export const DEFAULT_TYPING_TIMEOUT_MS = 5_000;

/** Largest upload the reference server accepts unless configured otherwise. */
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Least time, in seconds, that a message's `file_url` stays valid after the message was sent,
 * unless the server is configured otherwise.
 */
export const DEFAULT_MEDIA_URL_TTL_S = 3_600;

/** Each user's inbox log keeps at least their newest this many events (contract, "The inbox"). */
export const INBOX_LOG_MIN_EVENTS = 1_000;
