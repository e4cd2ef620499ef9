import { once } from 'node:events';
import {
  INBOX_SOCKET_PATH,
  type InboxServerEvent,
  InboxServerEventSchema,
  type Message,
  roomSocketPath,
  type ServerEvent,
  ServerEventSchema,
  type Since,
} from '@hirechat/protocol';
import WebSocket from 'ws';
import type { z } from 'zod';
import type { User } from './chat.js';

/**
 * A real socket of the reference server. Keeps every event, checked against the protocol's schema
 * of its channel, and lets a test wait for one that has not come yet.
 */
class EventSocket<E extends { type: string }> {
  readonly events: E[] = [];
  /** Frames that are not events of the protocol; any fails every wait. */
  readonly invalid: string[] = [];
  private waiters: Array<() => void> = [];
  private closedWith: { code: number; reason: string } | null = null;
  /** When the close came (Date.now()); null while open. */
  closedAt: number | null = null;

  protected constructor(
    readonly ws: WebSocket,
    schema: z.ZodType,
  ) {
    ws.on('message', (data) => {
      const frame = String(data);
      let json: unknown;
      try {
        json = JSON.parse(frame);
      } catch {}
      // The raw JSON, not zod's output, so that tests see exactly what the server sent.
      if (schema.safeParse(json).success) this.events.push(json as E);
      else this.invalid.push(frame);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closedAt = Date.now();
      this.closedWith = { code, reason: String(reason) };
      this.wake();
    });
  }

  /** Opens `url` and resolves once it is open; rejects when the server closes it first. */
  protected static async connect(url: string): Promise<WebSocket> {
    const ws = new WebSocket(url);
    const timeout = AbortSignal.timeout(10_000);
    const closedFirst = once(ws, 'close', { signal: timeout }).then(([code, reason]) => {
      throw new Error(`socket closed before it opened: ${code} ${String(reason)}`);
    });
    try {
      await Promise.race([once(ws, 'open', { signal: timeout }), closedFirst]);
    } catch (error) {
      ws.terminate();
      throw error;
    }
    // The loser of the race must not become an unhandled rejection later.
    closedFirst.catch(() => undefined);
    return ws;
  }

  /** Messages of the `message_created` events received so far, in order. */
  get created(): Message[] {
    return this.events.flatMap((event) =>
      event.type === 'message_created' ? [(event as unknown as { message: Message }).message] : [],
    );
  }

  /** Resolves with the first event from index `after` on that matches; fails after `timeoutMs`. */
  async waitFor<T extends E = E>(
    match: (event: E) => boolean,
    { after = 0, timeoutMs = 10_000 } = {},
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(after).find(match);
      if (this.invalid.length > 0) throw new Error(`frames outside the protocol: ${this.invalid.join('\n')}`);
      if (found) return found as T;
      if (this.closedWith) {
        throw new Error(`socket closed (${JSON.stringify(this.closedWith)}) while waiting; it got:
${JSON.stringify(this.events)}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await this.nextFrame(left);
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
      await this.nextFrame(left);
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

  /** Resolves at the next frame or close, or after `timeoutMs`. */
  private nextFrame(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** `?token=` and, when given, `&since=`. */
const query = (user: User, since?: Since) =>
  `?token=${user.token}${since === undefined ? '' : `&since=${since}`}`;

/** A real socket of one room. */
export class RoomSocket extends EventSocket<ServerEvent> {
  /**
   * Opens `/ws/chat/<room>/?token=[&since=]` on `wsUrl` (ws://host:port) and resolves once it is
   * open. Without `since`, as the seed's front end opens it.
   */
  static async open(wsUrl: string, room: string, user: User, since?: Since): Promise<RoomSocket> {
    return new RoomSocket(await EventSocket.connect(`${wsUrl}${roomSocketPath(room)}${query(user, since)}`));
  }

  private constructor(ws: WebSocket) {
    super(ws, ServerEventSchema);
  }
}

/** A real inbox socket of one user (contract, "The inbox"). */
export class InboxSocket extends EventSocket<InboxServerEvent> {
  /** Opens `/ws/inbox/?token=[&since=]` on `wsUrl` (ws://host:port) and resolves once it is open. */
  static async open(wsUrl: string, user: User, since?: Since): Promise<InboxSocket> {
    return new InboxSocket(await EventSocket.connect(`${wsUrl}${INBOX_SOCKET_PATH}${query(user, since)}`));
  }

  private constructor(ws: WebSocket) {
    super(ws, InboxServerEventSchema);
  }

  /** The `seq` of every logged inbox event received so far, in order. */
  get seqs(): number[] {
    return this.events.flatMap((event) => ('seq' in event && event.type !== 'synced' ? [event.seq] : []));
  }
}
