import type { Knex } from 'knex';
import type { RoomSummaryRecord } from '../domain/records.js';
import type { RoomQuery } from '../ports/chat-storage.js';
import {
  clientsByRoom,
  type MessageRow,
  type ParticipantRow,
  type ReadRow,
  type RoomRow,
  readersByMessage,
  toMessage,
  toRoom,
} from './rows.js';

/*
 * The room list: the viewer's rooms with each one's last message and the viewer's unread count,
 * in a fixed number of queries however many rooms there are. To be run in a snapshot.
 */

type Db = Knex | Knex.Transaction;

/** See ChatStorage.listRooms. */
export async function readRoomSummaries(db: Db, query: RoomQuery): Promise<RoomSummaryRecord[]> {
  const rows: RoomRow[] = await viewerRooms(db, query)
    .select('r.*')
    .orderBy([
      { column: 'r.last_activity_at', order: 'desc' },
      { column: 'r.created_at', order: 'desc' },
      { column: 'r.uuid', order: 'asc' },
    ]);
  if (rows.length === 0) return [];

  // Each batch query names the rooms by the same filter rather than by a list of ids, so the
  // number of queries and of bound parameters stays the same however many rooms there are.
  const roomIds = () => viewerRooms(db, query).select('r.uuid');
  const lastIds = () =>
    viewerRooms(db, query).select(
      db('messages as lm').max('lm.id').where('lm.chat_room', db.ref('r.uuid')).as('last_id'),
    );

  const participants: ParticipantRow[] = await db('chat_room_participants')
    .select('room_uuid', 'user_id', 'role')
    .where('role', 'client')
    .whereIn('room_uuid', roomIds());
  const lastRows: MessageRow[] = await db('messages').select('*').whereIn('id', lastIds());
  const lastReads: ReadRow[] = await db('message_reads')
    .select('message_uuid', 'user_id')
    .whereIn('message_uuid', db('messages').select('uuid').whereIn('id', lastIds()))
    .orderBy('id');
  const unreadRows: { room_uuid: string; unread_count: number }[] = await db('chat_room_participants')
    .select('room_uuid', 'unread_count')
    .where('user_id', query.viewer)
    .whereIn('room_uuid', roomIds());

  const clients = clientsByRoom(participants);
  const readers = readersByMessage(lastReads);
  const lastByRoom = new Map(lastRows.map((row) => [row.chat_room, row]));
  const unread = new Map(unreadRows.map((row) => [row.room_uuid, row.unread_count]));
  return rows.map((row) => {
    const last = lastByRoom.get(row.uuid);
    return {
      room: toRoom(row, clients.get(row.uuid) ?? []),
      lastMessage: last ? toMessage(last, readers.get(last.uuid) ?? []) : null,
      unreadCount: unread.get(row.uuid) ?? 0,
    };
  });
}

/** Rooms (aliased `r`) that the viewer takes part in, narrowed by the query's filters. */
function viewerRooms(db: Db, query: RoomQuery): Knex.QueryBuilder {
  const takesPart = (user: string, role?: 'client') => {
    const participant = db('chat_room_participants as rp')
      .select(db.raw('1'))
      .where('rp.room_uuid', db.ref('r.uuid'))
      .where('rp.user_id', user);
    return role ? participant.where('rp.role', role) : participant;
  };
  const rooms = db('chat_rooms as r').whereExists(takesPart(query.viewer));
  if (query.room != null) rooms.where('r.uuid', query.room);
  if (query.recruiter != null) rooms.where('r.recruiter', query.recruiter);
  if (query.client != null) rooms.whereExists(takesPart(query.client, 'client'));
  return rooms;
}
