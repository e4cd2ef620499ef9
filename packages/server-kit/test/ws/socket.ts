import { roomSocketPath, type ServerEvent, ServerEventSchema } from '@hirechat/protocol';
import WebSocket, { type ClientOptions } from 'ws';
import { z } from 'zod';

/*
 * A real `ws` client of one socket (a room's, or the inbox), for the WebSocket contract tests.
 * Every frame the server sends is checked against the protocol's schema of that socket's events
 * (ServerEventSchema by default); a frame that does not match fails whatever the test is waiting
 * on, and is listed in `invalid` for the cleanup to report.
 */

/** An event a socket receives: what its schema parses. */
export type AnyEvent = { type: string };

/** How long `next`, `closed` and friends wait before failing the test. */
export const DEFAULT_WAIT_MS = 3_000;

export interface Closed {
  code: number;
  reason: string;
}

export interface OpenSocketOptions<E extends AnyEvent = ServerEvent> {
  /** The server's `ws://host:port`. */
  wsUrl: string;
  /** The room id as it goes into the path (not checked, so that tests can send bad ones). */
  room: string;
  /** The socket's whole path, instead of the room's (`/ws/chat/<room>/`). */
  path?: string;
  /** Sent as `?token=`; omitted when null. */
  token: string | null;
  /** Subprotocols offered in the handshake (`Sec-WebSocket-Protocol`); none when omitted. */
  protocols?: string[];
  /**
   * The schema every frame must match: the socket's events. Default ServerEventSchema (a room
   * socket's); InboxServerEventSchema for the inbox.
   */
  schema?: z.ZodType<E>;
  /** The handshake's `Origin` header; none when omitted, as from a non-browser client. */
  origin?: string;
  /** False makes a client that never answers pings (a dead peer). Default true. */
  autoPong?: boolean;
  /** Sent as `?since=` (as is, so that tests can send bad ones); omitted when undefined. */
  since?: string;
  /**
   * Whether `presence` frames are for `next`: they come on open and whenever anyone of the room
   * comes or goes, so tests of other events leave them out (they are still checked, and kept in
   * `received`). Default false.
   */
  presence?: boolean;
}

/** How the opening handshake ended. */
export type Handshake =
  | { kind: 'open' }
  | { kind: 'refused'; status: number }
  | { kind: 'error'; error: Error };

interface Waiter<E> {
  matches(event: E): boolean;
  resolve(event: E): void;
  reject(error: Error): void;
}

export class TestSocket<E extends AnyEvent = ServerEvent> {
  readonly ws: WebSocket;
  /** Every valid frame received, in order, as the raw JSON the server sent (not zod's output). */
  readonly received: E[] = [];
  /** Frames that did not match the protocol, with why. */
  readonly invalid: { frame: string; problem: string }[] = [];
  /** Resolves once the handshake has ended, one way or another. */
  readonly handshake: Promise<Handshake>;

  /** Frames received and not yet taken by `next` or `nextAny`. */
  private readonly inbox: E[] = [];
  private readonly waiters = new Set<Waiter<E>>();
  private readonly closing: Promise<Closed>;
  private closedWith: Closed | null = null;
  private readonly takesPresence: boolean;
  private readonly schema: z.ZodType<E>;

  constructor(options: OpenSocketOptions<E>) {
    this.takesPresence = options.presence ?? false;
    this.schema = options.schema ?? (ServerEventSchema as unknown as z.ZodType<E>);
    const url = new URL(options.path ?? roomSocketPath(options.room), options.wsUrl);
    if (options.token !== null) url.searchParams.set('token', options.token);
    if (options.since !== undefined) url.searchParams.set('since', options.since);
    const clientOptions: ClientOptions = { autoPong: options.autoPong ?? true };
    if (options.origin !== undefined) clientOptions.origin = options.origin;
    this.ws = new WebSocket(url, options.protocols ?? [], clientOptions);

    this.handshake = new Promise<Handshake>((resolve) => {
      this.ws.once('open', () => resolve({ kind: 'open' }));
      // Listening for this keeps ws from turning a refused handshake into an 'error'; the request
      // is then ours to end.
      this.ws.once('unexpected-response', (request, response) => {
        resolve({ kind: 'refused', status: response.statusCode ?? 0 });
        response.resume();
        request.destroy();
      });
      this.ws.on('error', (error) => resolve({ kind: 'error', error }));
    });
    this.closing = new Promise<Closed>((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString('utf8') };
        const error = new Error(`socket closed (${code} ${this.closedWith.reason}) while waiting`);
        for (const waiter of this.waiters) waiter.reject(error);
        this.waiters.clear();
        resolve(this.closedWith);
      });
    });
    this.ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** The subprotocol the server answered with ('' when none). */
  get protocol(): string {
    return this.ws.protocol;
  }

  /**
   * The next frame of this type (and matching the predicate) not yet taken; frames of other types
   * stay in the inbox for later calls. Fails after `timeoutMs`.
   */
  next<T extends E['type']>(
    type: T,
    predicate: (event: Extract<E, { type: T }>) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<Extract<E, { type: T }>> {
    const matches = (event: E) => event.type === type && predicate(event as Extract<E, { type: T }>);
    return this.take(matches, `a "${type}" event`, timeoutMs) as Promise<Extract<E, { type: T }>>;
  }

  /** The next frame not yet taken, of any type. */
  nextAny(timeoutMs = DEFAULT_WAIT_MS): Promise<E> {
    return this.take(() => true, 'any event', timeoutMs);
  }

  /** Resolves with the close code and reason once the socket has closed; fails after `timeoutMs`. */
  closed(timeoutMs = DEFAULT_WAIT_MS): Promise<Closed> {
    if (this.closedWith) return Promise.resolve(this.closedWith);
    return withTimeout(this.closing, timeoutMs, () => `socket did not close within ${timeoutMs} ms`);
  }

  /** Sends the value as a JSON text frame. */
  send(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  /** Sends the data as is: a string as a text frame, bytes as a binary frame. */
  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** Closes from the client side and waits until the socket is closed. */
  async close(code = 1000): Promise<Closed> {
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.terminate();
    } else if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(code);
    }
    return this.closed();
  }

  /** Drops the connection at once, for cleanup. */
  async terminate(): Promise<void> {
    if (this.closedWith) return;
    this.ws.terminate();
    await this.closing;
  }

  private onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    const frame = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    let problem: string | null = isBinary ? 'the server sent a binary frame' : null;
    let value: unknown;
    if (!problem) {
      try {
        value = JSON.parse(frame);
        const result = this.schema.safeParse(value);
        if (!result.success) problem = z.prettifyError(result.error);
      } catch {
        problem = 'not JSON';
      }
    }
    if (problem) {
      this.invalid.push({ frame, problem });
      const error = new Error(`the server sent a frame outside the protocol (${problem}): ${frame}`);
      for (const waiter of this.waiters) waiter.reject(error);
      this.waiters.clear();
      return;
    }
    const event = value as E;
    this.received.push(event);
    if (event.type === 'presence' && !this.takesPresence) return;
    for (const waiter of this.waiters) {
      if (!waiter.matches(event)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(event);
      return;
    }
    this.inbox.push(event);
  }

  private take(matches: (event: E) => boolean, what: string, timeoutMs: number): Promise<E> {
    const index = this.inbox.findIndex(matches);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    if (this.invalid.length > 0) {
      return Promise.reject(
        new Error(`the server sent frames outside the protocol: ${JSON.stringify(this.invalid)}`),
      );
    }
    if (this.closedWith) {
      return Promise.reject(new Error(`waiting for ${what} on a closed socket (${this.closedWith.code})`));
    }
    return new Promise<E>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `no ${what} within ${timeoutMs} ms; not yet taken: ${JSON.stringify(this.inbox)}; ` +
              `all received: ${JSON.stringify(this.received)}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter<E> = {
        matches,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message())), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
