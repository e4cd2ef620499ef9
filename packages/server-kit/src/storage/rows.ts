import type { MessageRecord, RoomRecord } from '../domain/records.js';

/* Rows as the drivers answer them, and their mapping to the domain's records. */

export interface RoomRow {
  uuid: string;
  recruiter: string;
  created_at: string;
  last_activity_at: string;
  participants_key: string;
}

export interface ParticipantRow {
  room_uuid: string;
  user_id: string;
  role: ParticipantRole;
}

export type ParticipantRole = 'recruiter' | 'client';

export interface MessageRow {
  id: number;
  uuid: string;
  chat_room: string;
  sender: string;
  file_key: string | null;
  job: string | null;
  content: string | null;
  timestamp: string;
  /** SQLite answers 0 or 1, PostgreSQL a boolean. */
  is_edited: boolean | number;
}

export interface ReadRow {
  message_uuid: string;
  user_id: string;
}

export function toRoom(row: RoomRow, clients: string[]): RoomRecord {
  return { uuid: row.uuid, recruiter: row.recruiter, clients: sortedIds(clients), createdAt: row.created_at };
}

export function toMessage(row: MessageRow, readBy: string[]): MessageRecord {
  return {
    uuid: row.uuid,
    position: Number(row.id),
    chatRoom: row.chat_room,
    sender: row.sender,
    fileKey: row.file_key,
    job: row.job,
    content: row.content,
    timestamp: row.timestamp,
    isEdited: Boolean(row.is_edited),
    readBy,
  };
}

/** The clients of each room, from its participant rows. */
export function clientsByRoom(rows: readonly ParticipantRow[]): Map<string, string[]> {
  const byRoom = new Map<string, string[]>();
  for (const row of rows) {
    if (row.role === 'client') pushTo(byRoom, row.room_uuid, row.user_id);
  }
  return byRoom;
}

/** The readers of each message, in the order of the rows (which callers order by read). */
export function readersByMessage(rows: readonly ReadRow[]): Map<string, string[]> {
  const byMessage = new Map<string, string[]>();
  for (const row of rows) pushTo(byMessage, row.message_uuid, row.user_id);
  return byMessage;
}

/**
 * Ids in code-unit order. Sorted here rather than by the database, whose collation (PostgreSQL's
 * locale-aware ones ignore hyphens) could order them differently on another dialect.
 */
export function sortedIds(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
