import type { ChatClient, RoomConnectionEvents } from '@hirechat/client-sdk';

/*
 * The protocol's shapes as the SDK hands them out. Derived from the SDK's own signatures until it
 * re-exports them by name; then these become `export type { ChatRoom, Message } from
 * '@hirechat/client-sdk'`.
 */

/** A chat message, as on the wire (snake_case). */
export type Message = RoomConnectionEvents['message_created']['message'];

/** A chat room with the caller's `unread_count` and its `last_message`. */
export type ChatRoom = Awaited<ReturnType<ChatClient['rooms']['create']>>;
