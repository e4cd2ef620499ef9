import { type ClientEvent, roomSocketPath, type ServerEventMap, ServerEventSchema } from '@hirechat/protocol';
import WebSocket from 'isomorphic-ws';
import { resolveToken, type TokenSource } from './token-source.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** Handlers by event name: each server event type, plus `status` and `close`. */
export type RoomEventHandlers = {
  [K in keyof ServerEventMap]: (event: ServerEventMap[K]) => void;
} & {
  status: (status: ConnectionStatus) => void;
  close: (info: { code: number; reason: string }) => void;
};

/**
 * One live room: typed server events in, typing and read receipts out. This first version holds
 * a single socket; reconnection and replay of missed events come with the event log.
 */
export class RoomConnection {
  /** Resolves once the socket is open; rejects if it closes first. */
  readonly opened: Promise<void>;
  private socket: WebSocket | null = null;
  private readonly handlers = new Map<string, Set<(event: never) => void>>();
  private currentStatus: ConnectionStatus = 'connecting';
  private closeRequested = false;

  constructor(wsBaseUrl: string, room: string, token: TokenSource) {
    this.opened = this.open(new URL(roomSocketPath(room), wsBaseUrl), token);
    // A failed open is reported through `close`; keep it from also surfacing as unhandled.
    this.opened.catch(() => undefined);
  }

  private async open(url: URL, token: TokenSource): Promise<void> {
    url.searchParams.set('token', await resolveToken(token));
    if (this.closeRequested) throw new Error('closed before it opened');
    const socket = new WebSocket(url.toString());
    this.socket = socket;
    socket.onmessage = (message) => this.onFrame(String(message.data));
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => {
        this.setStatus('open');
        resolve();
      };
      socket.onclose = (event) => {
        this.setStatus('closed');
        this.emit('close', { code: event.code, reason: event.reason });
        reject(new Error(`socket closed (${event.code} ${event.reason})`));
      };
    });
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** Subscribes to an event; answers a function that unsubscribes. */
  on<K extends keyof RoomEventHandlers>(type: K, handler: RoomEventHandlers[K]): () => void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(handler as (event: never) => void);
    return () => set.delete(handler as (event: never) => void);
  }

  typing(typing: boolean): void {
    this.send({ type: 'typing', typing });
  }

  markRead(messageId: string): void {
    this.send({ type: 'message_read', message_id: messageId });
  }

  close(): void {
    this.closeRequested = true;
    this.socket?.close(1000);
  }

  private send(event: ClientEvent): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(event));
  }

  private onFrame(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return;
    }
    // Events from a newer server that this client does not know are skipped, not fatal.
    const parsed = ServerEventSchema.safeParse(value);
    if (parsed.success) this.emit(parsed.data.type, parsed.data);
  }

  private setStatus(status: ConnectionStatus): void {
    this.currentStatus = status;
    this.emit('status', status);
  }

  private emit(type: string, event: unknown): void {
    for (const handler of this.handlers.get(type) ?? []) (handler as (event: unknown) => void)(event);
  }
}
