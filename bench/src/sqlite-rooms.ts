import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

/*
 * A way around a hirechat limit, for rooms that its REST cannot create: knex writes a multi-row
 * insert for SQLite as one `select ... union all select ...`, and SQLite refuses a compound select
 * of more than 500 terms, so POST /chats/chat-room/create/ answers 500 for a room of 500 clients or
 * more. Such rooms go straight into the database file of a running server (WAL lets a second
 * process write; the server reads rooms afresh on every join and post). The report says so.
 */

/** The most clients a room created over REST can have on SQLite today: 500 terms, the recruiter's and 499. */
export const REST_MAX_CLIENTS_ON_SQLITE = 499;

/** The reference server keeps its SQLite file under this name in DATA_DIR (see its server.ts). */
export const DATABASE_FILE = 'hirechat.sqlite';

export function insertRoomDirectly(
  file: string,
  room: { uuid: string; recruiter: string; clients: string[] },
): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 10000');
    const now = new Date().toISOString();
    const createdAt = `${now.slice(0, 23)}000+00:00`;
    const clients = [...room.clients].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // The same digest as the storage's participantsKey, so that the room stays unique as it would be.
    const key = createHash('sha256')
      .update([room.recruiter, ...clients].join(','))
      .digest('hex');
    const insertParticipant = db.prepare(
      'insert into chat_room_participants (room_uuid, user_id, role) values (?, ?, ?)',
    );
    db.transaction(() => {
      db.prepare(
        'insert into chat_rooms (uuid, recruiter, created_at, last_activity_at, participants_key) values (?, ?, ?, ?, ?)',
      ).run(room.uuid, room.recruiter, createdAt, createdAt, key);
      insertParticipant.run(room.uuid, room.recruiter, 'recruiter');
      for (const client of clients) insertParticipant.run(room.uuid, client, 'client');
    })();
  } finally {
    db.close();
  }
}
