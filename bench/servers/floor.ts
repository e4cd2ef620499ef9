import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { INBOX_LOG_MIN_EVENTS } from '@hirechat/protocol';
import { createSqliteKnex, DEFAULT_EVENT_LOG_SIZE, KnexChatStorage } from '@hirechat/server-kit';
import Database from 'better-sqlite3';
import jwt from 'jsonwebtoken';
import { type WebSocket, WebSocketServer } from 'ws';

/*
 * The floor: hirechat's message create done with bare parts, for the CPU a message needs at least.
 * It speaks hirechat's wire for what the bench uses (REST room and message create, a room socket
 * at /ws/chat/<room>/?token=), so the same writer and subscribers drive it. A message is: node:http,
 * a JSON body, an HS256 token verified once and then remembered (jsonwebtoken), hirechat's own
 * statements for a message create (the seq bump, the participant check, the message, the unread
 * counts, the room event, the inbox counters and events, the prunes) through prepared
 * better-sqlite3 statements in one transaction, on hirechat's own schema (made by its migrations),
 * the event encoded once and one `ws` send per member socket. The inbox counter and event are
 * taken a row at a time, where hirechat's statements take every participant's row at once: a
 * prepared statement has a fixed number of rows. No logging, no validation library, no
 * framework: what a message costs beyond this is what hirechat adds.
 *
 * Env: PORT, DATA_DIR, JWT_SECRET.
 */

const DATA_DIR = process.env.DATA_DIR;
const SECRET = process.env.JWT_SECRET;
if (!DATA_DIR || !SECRET) throw new Error('floor: DATA_DIR and JWT_SECRET are required');
const FILE = path.join(DATA_DIR, 'floor.sqlite3');

const migrations = new KnexChatStorage(createSqliteKnex(FILE));
await migrations.migrate();
await migrations.close();

const db = new Database(FILE);
// hirechat's pragmas (storage/sqlite.ts).
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');

// The statements hirechat's insertMessage runs (storage/logged-write.ts and its helpers), in order.
const sql = {
  takeSeq: db.prepare<[string, string, string], { uuid: string; last_seq: number }>(
    `UPDATE chat_rooms SET last_seq = last_seq + 1,
       last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END
     WHERE uuid = ? RETURNING uuid, last_seq`,
  ),
  isParticipant: db.prepare<[string, string], { user_id: string }>(
    'SELECT user_id FROM chat_room_participants WHERE room_uuid = ? AND user_id = ? LIMIT 1',
  ),
  insertMessage: db.prepare<[string, string, string, string, string], { id: number }>(
    `INSERT INTO messages (uuid, chat_room, sender, file_key, job, content, timestamp, is_edited)
     VALUES (?, ?, ?, NULL, NULL, ?, ?, 0) RETURNING id`,
  ),
  bumpUnread: db.prepare<[string, string]>(
    'UPDATE chat_room_participants SET unread_count = unread_count + 1 WHERE room_uuid = ? AND NOT user_id = ?',
  ),
  appendRoomEvent: db.prepare<[string, number, string, string]>(
    'INSERT INTO room_events (room_uuid, seq, event, created_at) VALUES (?, ?, ?, ?)',
  ),
  pruneRoomEvents: db.prepare<[string, number]>('DELETE FROM room_events WHERE room_uuid = ? AND seq <= ?'),
  participants: db.prepare<[string], { user_id: string; unread_count: number }>(
    'SELECT user_id, unread_count FROM chat_room_participants WHERE room_uuid = ? ORDER BY user_id',
  ),
  takeInboxSeq: db.prepare<[string], { last_seq: number }>(
    `INSERT INTO user_inboxes (user_id, last_seq) VALUES (?, 1)
     ON CONFLICT (user_id) DO UPDATE SET last_seq = user_inboxes.last_seq + 1 RETURNING last_seq`,
  ),
  appendInboxEvent: db.prepare<[string, number, string, string]>(
    'INSERT INTO inbox_events (user_id, seq, event, created_at) VALUES (?, ?, ?, ?)',
  ),
  pruneInboxEvents: db.prepare<[string, number]>('DELETE FROM inbox_events WHERE user_id = ? AND seq <= ?'),
  insertRoom: db.prepare<[string, string, string, string, string, string]>(
    `INSERT INTO chat_rooms (uuid, recruiter, created_at, last_activity_at, participants_key, participants_digest)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ),
  insertParticipant: db.prepare<[string, string, string]>(
    'INSERT INTO chat_room_participants (room_uuid, user_id, role) VALUES (?, ?, ?)',
  ),
};

/** hirechat prunes a log every size/16 appends of its owner (storage/event-log.ts). */
const pruneEvery = (size: number) => Math.max(1, Math.floor(size / 16));
const ROOM_PRUNE = pruneEvery(DEFAULT_EVENT_LOG_SIZE);
const INBOX_PRUNE = pruneEvery(INBOX_LOG_MIN_EVENTS);

/** hirechat's timestamp: microseconds and an explicit offset, as Django writes it. */
const timestamp = () => `${new Date().toISOString().slice(0, 23)}000+00:00`;

interface WireMessage {
  uuid: string;
  sender: string;
  chat_room: string;
  file: null;
  file_url: null;
  job: null;
  content: string;
  timestamp: string;
  is_edited: false;
  is_viewed: false;
  read_by: string[];
}

/** Stores a message and its events; answers the message and its room event's JSON, or null. */
const createMessage = db.transaction((room: string, sender: string, content: string) => {
  const at = timestamp();
  const counter = sql.takeSeq.get(at, at, room);
  if (!counter) return null;
  if (!sql.isParticipant.get(room, sender)) throw new NotAParticipant();
  const message: WireMessage = {
    uuid: randomUUID(),
    sender,
    chat_room: room,
    file: null,
    file_url: null,
    job: null,
    content,
    timestamp: at,
    is_edited: false,
    is_viewed: false,
    read_by: [],
  };
  sql.insertMessage.get(message.uuid, room, sender, content, at);
  sql.bumpUnread.run(room, sender);
  const seq = counter.last_seq;
  // Encoded once: the same text is logged and sent to every member's socket.
  const frame = JSON.stringify({ type: 'message_created', message, seq });
  sql.appendRoomEvent.run(room, seq, frame, at);
  if (seq % ROOM_PRUNE === 0) sql.pruneRoomEvents.run(room, seq - DEFAULT_EVENT_LOG_SIZE);
  for (const { user_id, unread_count } of sql.participants.all(room)) {
    const inboxSeq = sql.takeInboxSeq.get(user_id)!.last_seq;
    const event = { type: 'message_created', message, unread_count, seq: inboxSeq };
    sql.appendInboxEvent.run(user_id, inboxSeq, JSON.stringify(event), at);
    if (inboxSeq % INBOX_PRUNE === 0) sql.pruneInboxEvents.run(user_id, inboxSeq - INBOX_LOG_MIN_EVENTS);
  }
  return { message, frame };
});

class NotAParticipant extends Error {}

const createRoom = db.transaction((recruiter: string, clients: string[]) => {
  const uuid = randomUUID();
  const at = timestamp();
  // Room setup, not measured: the room's own uuid stands in for hirechat's participant key.
  sql.insertRoom.run(uuid, recruiter, at, at, uuid, uuid);
  sql.insertParticipant.run(uuid, recruiter, 'recruiter');
  for (const client of clients) sql.insertParticipant.run(uuid, client, 'client');
  return uuid;
});

/** Verified tokens by their text, with their `exp` (seconds), as hirechat's JwtIdentity keeps them. */
const tokens = new Map<string, { sub: string; exp: number | undefined }>();

function caller(token: string | null | undefined): string | null {
  if (!token) return null;
  let known = tokens.get(token);
  if (!known) {
    try {
      const claims = jwt.verify(token, SECRET!, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      if (typeof claims.sub !== 'string') return null;
      known = { sub: claims.sub, exp: claims.exp };
    } catch {
      return null;
    }
    if (tokens.size >= 10_000) tokens.clear();
    tokens.set(token, known);
  }
  return known.exp === undefined || known.exp > Date.now() / 1000 ? known.sub : null;
}

const sockets = new Map<string, Set<WebSocket>>();

function answer(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function readJson(request: http.IncomingMessage): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : null);
      } catch {
        resolve(null);
      }
    });
  });
}

const server = http.createServer(async (request, response) => {
  const user = caller(request.headers.authorization?.replace(/^Bearer /, ''));
  if (request.method !== 'POST') return answer(response, 404, { detail: 'Not found.' });
  if (!user) return answer(response, 401, { detail: 'Not authenticated.' });
  const body = await readJson(request);
  if (!body) return answer(response, 400, { detail: 'JSON body required.' });
  if (request.url === '/chats/messages/create/') {
    const { chat_room: room, content } = body;
    if (typeof room !== 'string') return answer(response, 400, { chat_room: ['This field is required.'] });
    if (typeof content !== 'string') return answer(response, 400, { content: ['This field is required.'] });
    let created: ReturnType<typeof createMessage>;
    try {
      created = createMessage(room, user, content);
    } catch (error) {
      if (!(error instanceof NotAParticipant)) throw error;
      created = null;
    }
    if (!created) return answer(response, 404, { detail: 'No such chat room.' });
    for (const socket of sockets.get(room) ?? []) {
      if (socket.readyState === socket.OPEN) socket.send(created.frame);
    }
    return answer(response, 201, created.message);
  }
  if (request.url === '/chats/chat-room/create/') {
    const { recruiter, clients } = body;
    if (recruiter !== user || !Array.isArray(clients)) return answer(response, 400, { detail: 'Bad room.' });
    return answer(response, 201, { uuid: createRoom(recruiter, clients.map(String)) });
  }
  answer(response, 404, { detail: 'Not found.' });
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const ROOM_PATH = /^\/ws\/chat\/([0-9a-f-]{36})\/$/;

server.on('upgrade', (request, socket, head) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const room = ROOM_PATH.exec(url.pathname)?.[1];
  const user = caller(url.searchParams.get('token'));
  if (!room || !user || !sql.isParticipant.get(room, user)) {
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    let members = sockets.get(room);
    if (!members) {
      members = new Set();
      sockets.set(room, members);
    }
    members.add(ws);
    ws.on('close', () => members.delete(ws));
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`listening on http://127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    db.close();
    process.exit(0);
  });
}
