import { randomUUID } from 'node:crypto';
import { createSqliteKnex, KnexChatStorage } from '@hirechat/server-kit';
import Database from 'better-sqlite3';
import { serve } from '../src/rpc.js';

/*
 * Fills an SQLite database before its server starts: the schema from server-kit's own migrations,
 * the rooms through its storage, and then the messages straight into the `messages` table in large
 * transactions, because a million messages over REST would take the better part of an hour.
 */

export interface SeedRoom {
  uuid: string;
  recruiter: string;
  clients: string[];
  messages: number;
}

export interface SeedResult {
  messages: number;
  seconds: number;
}

const BATCH = 50_000;

async function seed(payload: { file: string; rooms: SeedRoom[] }): Promise<SeedResult> {
  const started = performance.now();
  const storage = new KnexChatStorage(createSqliteKnex(payload.file));
  try {
    await storage.migrate();
    for (const room of payload.rooms) {
      // Seeded rooms tell no inbox: nobody is connected yet to hear of them.
      await storage.createRoom(
        {
          uuid: room.uuid,
          recruiter: room.recruiter,
          clients: room.clients,
          createdAt: timestamp(Date.now() * 1000 - 10 ** 12),
        },
        { inbox: () => null, webhooks: () => [] },
      );
    }
  } finally {
    await storage.close();
  }

  const db = new Database(payload.file);
  let total = 0;
  try {
    // The file is thrown away if seeding fails, so nothing here needs to survive a crash.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insert = db.prepare(
      'insert into messages (uuid, chat_room, sender, file_key, job, content, timestamp, is_edited) ' +
        'values (?, ?, ?, null, null, ?, ?, 0)',
    );
    const touch = db.prepare('update chat_rooms set last_activity_at = ? where uuid = ?');
    // What the server keeps as it stores each message: everyone else's unread count goes up.
    const unread = db.prepare(
      'update chat_room_participants set unread_count = ? where room_uuid = ? and user_id = ?',
    );
    const batch = db.transaction((room: SeedRoom, from: number, to: number, firstMicros: number) => {
      const senders = [room.recruiter, ...room.clients];
      for (let i = from; i < to; i++) {
        insert.run(
          randomUUID(),
          room.uuid,
          senders[i % senders.length],
          `seeded message ${i}`,
          timestamp(firstMicros + i),
        );
      }
    });
    const countUnread = (room: SeedRoom) => {
      const senders = [room.recruiter, ...room.clients];
      senders.forEach((user, index) => {
        // Messages go round the senders: this one sent every senders.length-th, from `index` on.
        const sent = Math.max(0, Math.ceil((room.messages - index) / senders.length));
        unread.run(room.messages - sent, room.uuid, user);
      });
    };
    for (const room of payload.rooms) {
      // One message a microsecond, ending a second ago.
      const firstMicros = Date.now() * 1000 - 1_000_000 - room.messages;
      for (let from = 0; from < room.messages; from += BATCH) {
        batch(room, from, Math.min(room.messages, from + BATCH), firstMicros);
      }
      if (room.messages > 0) touch.run(timestamp(firstMicros + room.messages - 1), room.uuid);
      countUnread(room);
      total += room.messages;
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return { messages: total, seconds: (performance.now() - started) / 1000 };
}

/** Django's format, as the server writes it: `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`. */
function timestamp(micros: number): string {
  const fraction = String(micros % 1_000_000).padStart(6, '0');
  return `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${fraction}+00:00`;
}

serve({ ping: () => true, seed });
