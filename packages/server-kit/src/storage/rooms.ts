import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { RoomChangeRecord, RoomRecord } from '../domain/records.js';
import type {
  CreatedRoom,
  EventsOf,
  InboxRecipient,
  RoomAccess,
  RoomParticipants,
} from '../ports/chat-storage.js';
import { appendInboxEvents } from './inbox-log.js';
import { everyParticipant, type OutboxWriter } from './logged-write.js';
import { lastMessageOf } from './message-readers.js';
import { type RoomRow, sortedIds, toRoom } from './rows.js';

/*
 * Rooms and who takes part in them. Every function runs in the caller's transaction or snapshot,
 * except where it takes a Knex instance to open its own.
 */

type Db = Knex | Knex.Transaction;

/** Participant rows per INSERT statement: SQLite refuses one INSERT of 500 rows or more. */
const PARTICIPANT_INSERT_CHUNK = 250;

/** See ChatStorage.createRoom. */
export async function createRoom(
  knex: Knex,
  inboxSize: number,
  room: RoomRecord,
  events: Pick<EventsOf<RoomChangeRecord>, 'inbox' | 'webhooks'>,
  outbox: OutboxWriter | null,
): Promise<CreatedRoom> {
  const clients = sortedIds(room.clients);
  const digest = participantsDigest(room.recruiter, clients);
  return knex.transaction(async (trx) => {
    // A room that has these participants now, whether it was created with them or came to them.
    const existing = await trx<RoomRow>('chat_rooms')
      .where('participants_digest', digest)
      .orderBy([{ column: 'created_at' }, { column: 'uuid' }])
      .first();
    if (existing) return { room: toRoom(existing, clients), created: false, inbox: [], webhooks: [] };
    // The unique key settles concurrent creations: the loser inserts nothing and reads the winner.
    const inserted = await trx('chat_rooms')
      .insert({
        uuid: room.uuid,
        recruiter: room.recruiter,
        created_at: room.createdAt,
        last_activity_at: room.createdAt,
        participants_key: digest,
        participants_digest: digest,
      })
      .onConflict('participants_key')
      .ignore()
      .returning('uuid');
    if (inserted.length === 0) {
      const winner = await trx<RoomRow>('chat_rooms').where('participants_key', digest).first();
      if (!winner) throw new Error(`Room with participants key ${digest} vanished while being created`);
      // Equal keys mean the same recruiter and clients, so the participants need no reading.
      return { room: toRoom(winner, clients), created: false, inbox: [], webhooks: [] };
    }
    await trx.batchInsert(
      'chat_room_participants',
      [
        { room_uuid: room.uuid, user_id: room.recruiter, role: 'recruiter' },
        ...clients.map((client) => ({ room_uuid: room.uuid, user_id: client, role: 'client' })),
      ],
      PARTICIPANT_INSERT_CHUNK,
    );
    const stored = { ...room, clients };
    const change: RoomChangeRecord = { room: stored, lastMessage: null, added: clients, removed: [] };
    const unsequenced = [room.recruiter, ...clients].flatMap((user) => {
      const event = events.inbox(change, { user, unreadCount: 0, removed: false });
      return event ? [{ user, event }] : [];
    });
    const inbox = await appendInboxEvents(trx, inboxSize, unsequenced);
    const webhooks = events.webhooks(change);
    await outbox?.append(trx, webhooks);
    return { room: stored, created: true, inbox, webhooks };
  });
}

/** See ChatStorage.getRoom; to be run in a snapshot, so that the room and its clients agree. */
export async function readRoom(db: Db, uuid: string): Promise<RoomRecord | null> {
  const row = await db<RoomRow>('chat_rooms').where('uuid', uuid).first();
  if (!row) return null;
  const clients = await db('chat_room_participants')
    .where({ room_uuid: uuid, role: 'client' })
    .pluck('user_id');
  return toRoom(row, clients);
}

/** See ChatStorage.isParticipant. */
export async function isParticipant(db: Db, room: string, user: string): Promise<boolean> {
  const row = await db('chat_room_participants')
    .select('user_id')
    .where({ room_uuid: room, user_id: user })
    .first();
  return row !== undefined;
}

/** See ChatStorage.roomAccess: one statement, so that no snapshot is needed. */
export async function readRoomAccess(db: Db, room: string, user: string): Promise<RoomAccess | null> {
  const row: { last_seq: number | string; participant: number | boolean | string } | undefined = await db(
    'chat_rooms as r',
  )
    .select(
      'r.last_seq',
      db.raw(
        'exists (select 1 from chat_room_participants p where p.room_uuid = r.uuid and p.user_id = ?) as ??',
        [user, 'participant'],
      ),
    )
    .where('r.uuid', room)
    .first();
  if (!row) return null;
  // SQLite answers 0 or 1, PostgreSQL a boolean.
  return {
    seq: Number(row.last_seq),
    participant: row.participant === true || Number(row.participant) === 1,
  };
}

/** See ChatStorage.roomsWithParticipants: one query, however many rooms the user is in. */
export async function readRoomsWithParticipants(db: Db, user: string): Promise<RoomParticipants[]> {
  const rows: { room_uuid: string; user_id: string; role: string }[] = await db(
    'chat_room_participants as mine',
  )
    .join('chat_room_participants as p', 'p.room_uuid', 'mine.room_uuid')
    .select('p.room_uuid', 'p.user_id', 'p.role')
    .where('mine.user_id', user);
  const byRoom = new Map<string, { recruiter: string | null; clients: string[] }>();
  for (const row of rows) {
    const room = byRoom.get(row.room_uuid) ?? { recruiter: null, clients: [] };
    if (row.role === 'recruiter') room.recruiter = row.user_id;
    else room.clients.push(row.user_id);
    byRoom.set(row.room_uuid, room);
  }
  return [...byRoom].map(([room, { recruiter, clients }]) => ({
    room,
    participants: [...(recruiter === null ? [] : [recruiter]), ...sortedIds(clients)],
  }));
}

/**
 * The write of ChatStorage.addClients, inside writeLogged: the clients not in the room yet join it,
 * each with every message of the room from others that they have not read counted unread (a client
 * who comes back keeps the reads of their earlier stay).
 */
export async function addClientsTo(
  trx: Knex.Transaction,
  room: string,
  clients: readonly string[],
): Promise<RoomChangeRecord | null> {
  const present = new Set<string>(
    await trx('chat_room_participants').where('room_uuid', room).pluck('user_id'),
  );
  const added = sortedIds(clients.filter((client) => !present.has(client)));
  if (added.length === 0) return null;
  await trx.batchInsert(
    'chat_room_participants',
    added.map((client) => ({ room_uuid: room, user_id: client, role: 'client' })),
    PARTICIPANT_INSERT_CHUNK,
  );
  const participant = 'chat_room_participants';
  await trx(participant)
    .where('room_uuid', room)
    .whereIn('user_id', added)
    .update({
      unread_count: trx('messages as m')
        .count('*')
        .where('m.chat_room', room)
        .whereNot('m.sender', trx.ref(`${participant}.user_id`))
        .whereNotExists(
          trx('message_reads as mr')
            .select(trx.raw('1'))
            .where('mr.message_uuid', trx.ref('m.uuid'))
            .where('mr.user_id', trx.ref(`${participant}.user_id`)),
        ),
    });
  return changedRoom(trx, room, { added, removed: [] });
}

/** The write of ChatStorage.removeClient, inside writeLogged. */
export async function removeClientFrom(
  trx: Knex.Transaction,
  room: string,
  client: string,
): Promise<RoomChangeRecord | null> {
  const removed = await trx('chat_room_participants')
    .where({ room_uuid: room, user_id: client, role: 'client' })
    .delete();
  if (removed === 0) return null;
  return changedRoom(trx, room, { added: [], removed: [client] });
}

/** The recipients of a removal: the participants left, and the client who left, one last time. */
export function afterRemoval(client: string) {
  return async (trx: Knex.Transaction, room: string): Promise<InboxRecipient[]> => [
    ...(await everyParticipant(trx, room)),
    { user: client, unreadCount: 0, removed: true },
  ];
}

/**
 * The room after its participants changed: its digest follows them, so that creating the room
 * again finds it, and it gives up its claim on the creation key (see migration 004).
 */
async function changedRoom(
  trx: Knex.Transaction,
  room: string,
  change: Pick<RoomChangeRecord, 'added' | 'removed'>,
): Promise<RoomChangeRecord> {
  const record = await readRoom(trx, room);
  if (!record) throw new Error(`Room ${room} vanished while its participants changed`);
  await trx('chat_rooms')
    .where('uuid', room)
    .update({
      participants_digest: participantsDigest(record.recruiter, record.clients),
      participants_key: room,
    });
  return { room: record, lastMessage: await lastMessageOf(trx, room), ...change };
}

/** One value per recruiter and set of clients; a digest so that its length never grows. */
function participantsDigest(recruiter: string, sortedClients: readonly string[]): string {
  return createHash('sha256')
    .update([recruiter, ...sortedClients].join(','))
    .digest('hex');
}
