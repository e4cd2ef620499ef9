import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  type Message,
  RestPaths,
  roomSocketPath,
  type ServerEvent,
  ServerEventSchema,
  type Since,
} from '@hirechat/protocol';
import { type Role, signAccessToken } from '@hirechat/server-kit';
import WebSocket from 'ws';

/** A secret for JWT_SECRET that tests sign their tokens with. */
export const newSecret = (): string => randomBytes(32).toString('hex');

export interface User {
  id: string;
  token: string;
}

export function newUser(secret: string, role: Role): User {
  const id = randomUUID();
  return { id, token: signAccessToken(secret, { sub: id, role }) };
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** One REST call as `user`; the answer's JSON body (null when there is none). */
export async function call<T = unknown>(
  baseUrl: string,
  user: User | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: {
      ...(user && { Authorization: `Bearer ${user.token}` }),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    // A test must fail, not hang, when a server stops answering.
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

/** Creates a room of `recruiter` and `clients`; answers its uuid. */
export async function createRoom(baseUrl: string, recruiter: User, clients: User[]): Promise<string> {
  const answer = await call<{ uuid: string }>(baseUrl, recruiter, 'POST', RestPaths.createRoom, {
    recruiter: recruiter.id,
    clients: clients.map((client) => client.id),
  });
  if (answer.status !== 201) throw new Error(`room not created: ${JSON.stringify(answer)}`);
  return answer.body.uuid;
}

export function postMessage(baseUrl: string, user: User, room: string, content: string) {
  return call<Message>(baseUrl, user, 'POST', RestPaths.createMessage, { chat_room: room, content });
}

/** Posts a file as `user` (multipart); answers the message. */
export async function postFile(
  baseUrl: string,
  user: User,
  room: string,
  file: { name: string; data: Uint8Array<ArrayBuffer> },
): Promise<Answer<Message>> {
  const form = new FormData();
  form.append('chat_room', room);
  form.append('file', new Blob([file.data]), file.name);
  const response = await fetch(baseUrl + RestPaths.createMessage, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.token}` },
    body: form,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as Message };
}

/** The room's messages, oldest first (up to 200). */
export async function listMessages(baseUrl: string, user: User, room: string): Promise<Message[]> {
  const answer = await call<Message[]>(
    baseUrl,
    user,
    'GET',
    `${RestPaths.listMessages}?chat_room=${room}&limit=200`,
  );
  if (answer.status !== 200) throw new Error(`messages not listed: ${JSON.stringify(answer)}`);
  return answer.body;
}

/**
 * A real socket of one room. Keeps every event, checked against the protocol's schema, and lets a
 * test wait for one that has not come yet.
 */
export class RoomSocket {
  readonly events: ServerEvent[] = [];
  /** Frames that are not events of the protocol; any fails every wait. */
  readonly invalid: string[] = [];
  private waiters: Array<() => void> = [];
  private closedWith: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = String(data);
      let json: unknown;
      try {
        json = JSON.parse(frame);
      } catch {}
      // The raw JSON, not zod's output, so that tests see exactly what the server sent.
      if (ServerEventSchema.safeParse(json).success) this.events.push(json as ServerEvent);
      else this.invalid.push(frame);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closedWith = { code, reason: String(reason) };
      this.wake();
    });
  }

  /**
   * Opens `/ws/chat/<room>/?token=[&since=]` on `wsUrl` (ws://host:port) and resolves once it is
   * open. Without `since`, as the seed's front end opens it.
   */
  static async open(wsUrl: string, room: string, user: User, since?: Since): Promise<RoomSocket> {
    const query = since === undefined ? '' : `&since=${since}`;
    const ws = new WebSocket(`${wsUrl}${roomSocketPath(room)}?token=${user.token}${query}`);
    const socket = new RoomSocket(ws);
    const timeout = AbortSignal.timeout(10_000);
    const closedFirst = once(ws, 'close', { signal: timeout }).then(([code, reason]) => {
      throw new Error(`socket closed before it opened: ${code} ${String(reason)}`);
    });
    await Promise.race([once(ws, 'open', { signal: timeout }), closedFirst]);
    // The loser of the race must not become an unhandled rejection later.
    closedFirst.catch(() => undefined);
    return socket;
  }

  /** Messages of the `message_created` events received so far, in order. */
  get created(): Message[] {
    return this.events.flatMap((event) => (event.type === 'message_created' ? [event.message] : []));
  }

  /** Resolves with the first event from index `after` on that matches; fails after `timeoutMs`. */
  async waitFor<E extends ServerEvent = ServerEvent>(
    match: (event: ServerEvent) => boolean,
    { after = 0, timeoutMs = 10_000 } = {},
  ): Promise<E> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(after).find(match);
      if (this.invalid.length > 0) throw new Error(`frames outside the protocol: ${this.invalid.join('\n')}`);
      if (found) return found as E;
      if (this.closedWith) {
        throw new Error(`socket closed (${JSON.stringify(this.closedWith)}) while waiting; it got:
${JSON.stringify(this.events)}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once the socket has received a `message_created` for every uuid. */
  async waitForCreated(uuids: string[], timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = new Set(this.created.map((message) => message.uuid));
      const missing = uuids.filter((uuid) => !seen.has(uuid));
      if (missing.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0 || this.closedWith) {
        throw new Error(
          `${missing.length} of ${uuids.length} messages never arrived (closed: ${JSON.stringify(this.closedWith)})`,
        );
      }
      await this.waitFor(() => true, { after: this.events.length, timeoutMs: left }).catch(() => undefined);
    }
  }

  /** Whether the socket has closed; null while it is open. */
  get closeInfo(): { code: number; reason: string } | null {
    return this.closedWith;
  }

  /** Resolves with the close code and reason once the server (or the test) has closed it. */
  async closed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closedWith) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`socket still open after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closedWith;
  }

  send(event: unknown): void {
    this.ws.send(JSON.stringify(event));
  }

  /** Closes the socket and resolves once it is closed. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = once(this.ws, 'close');
    this.ws.close();
    await closed;
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
