import { type Socket as IoSocket, io } from 'socket.io-client';
import WebSocket from 'ws';
import { nowMs, sleep } from '../src/clock.js';
import { Histogram, type HistogramData } from '../src/histogram.js';
import { serve } from '../src/rpc.js';
import { readStamp, type SocketSpec } from '../src/wire.js';

/*
 * Holds sockets to one server and records, for every `message_created` of the current step, how
 * long it took from its writer's send to this socket. Run as a child process by the orchestrator.
 */

interface Held {
  close(): void;
  isOpen(): boolean;
}

export interface ConnectResult {
  opened: number;
  failed: number;
  firstError: string | null;
  startedAtMs: number;
  endedAtMs: number;
}

export interface SubscriberStats {
  /** Events of the current step. */
  received: number;
  /** Events of earlier steps that came in during this one. */
  stale: number;
  socketsWithEvent: number;
  socketsOpen: number;
  /** Sockets the server closed since they opened. */
  closedByServer: number;
  /** Those closes by close code (Socket.IO's by disconnect reason), to tell why. */
  closeCodes: Record<string, number>;
  latency: HistogramData;
  firstAtMs: number | null;
  lastAtMs: number | null;
}

/** By socket index; a socket that failed to open leaves a hole, so indexes stay put. */
let held: Array<Held | undefined> = [];
let perSocket: Uint32Array = new Uint32Array(0);
let step = 0;
let received = 0;
let stale = 0;
let closedByServer = 0;
let closeCodes: Record<string, number> = {};
let firstAtMs: number | null = null;
let lastAtMs: number | null = null;
/** Set while the orchestrator closes the sockets, so that those closes are not counted as the server's. */
let closing = false;
const latency = new Histogram();

function onContent(index: number, content: unknown): void {
  const at = nowMs();
  const stamp = readStamp(content);
  if (!stamp) return;
  if (stamp.step !== step) {
    stale++;
    return;
  }
  latency.recordMs(at - stamp.sentAtMs);
  received++;
  perSocket[index] = (perSocket[index] ?? 0) + 1;
  firstAtMs ??= at;
  lastAtMs = at;
}

function onFrame(index: number, data: WebSocket.RawData): void {
  // Every frame is parsed in full, as a real client would, rather than picked at with a regex.
  let event: { type?: unknown; message?: { content?: unknown } };
  try {
    event = JSON.parse(String(data));
  } catch {
    return;
  }
  if (event.type === 'message_created') onContent(index, event.message?.content);
}

function openWs(index: number, url: string, timeoutMs: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    let open = false;
    socket.on('open', () => {
      open = true;
      resolve({ close: () => socket.terminate(), isOpen: () => socket.readyState === WebSocket.OPEN });
    });
    socket.on('message', (data) => onFrame(index, data));
    socket.on('error', (error) => {
      if (!open) reject(error);
    });
    socket.on('close', (code) => {
      if (!open) reject(new Error(`closed with ${code} before opening`));
      else if (!closing) countClose(String(code));
    });
  });
}

function countClose(why: string): void {
  closedByServer++;
  closeCodes[why] = (closeCodes[why] ?? 0) + 1;
}

function openIo(index: number, url: string, room: string, timeoutMs: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    // forceNew: without it socket.io-client multiplexes every socket to one URL over one connection.
    const socket: IoSocket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: timeoutMs,
      query: { room },
    });
    socket.on('message_created', (event: { message?: { content?: unknown } }) =>
      onContent(index, event?.message?.content),
    );
    socket.once('connect', () => {
      resolve({ close: () => socket.disconnect(), isOpen: () => socket.connected });
    });
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
    socket.on('disconnect', (reason) => {
      if (!closing && reason !== 'io client disconnect') countClose(reason);
    });
  });
}

serve({
  ping: () => true,
  /** Opens the sockets, `concurrency` handshakes at a time, giving up on any left at the deadline. */
  async connect(payload: {
    sockets: SocketSpec[];
    concurrency: number;
    timeoutMs: number;
  }): Promise<ConnectResult> {
    closing = false;
    const base = held.length;
    perSocket = grow(perSocket, base + payload.sockets.length);
    const deadline = Date.now() + payload.timeoutMs;
    const startedAtMs = nowMs();
    let next = 0;
    let opened = 0;
    let failed = 0;
    let firstError: string | null = null;
    const worker = async () => {
      for (;;) {
        const i = next++;
        const spec = payload.sockets[i];
        if (!spec) return;
        const left = deadline - Date.now();
        if (left <= 0) {
          failed++;
          firstError ??= 'connect deadline passed';
          continue;
        }
        try {
          const index = base + i;
          const socket =
            spec.kind === 'socketio'
              ? await openIo(index, spec.url, spec.room, Math.min(left, 15_000))
              : await openWs(index, spec.url, Math.min(left, 15_000));
          held[index] = socket;
          opened++;
        } catch (error) {
          failed++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, payload.concurrency) }, worker));
    held.length = base + payload.sockets.length;
    return { opened, failed, firstError, startedAtMs, endedAtMs: nowMs() };
  },

  /** Starts a step: from now on only its events count. */
  reset(payload: { step: number }) {
    step = payload.step;
    received = 0;
    stale = 0;
    firstAtMs = null;
    lastAtMs = null;
    latency.reset();
    perSocket.fill(0);
    return true;
  },

  received: () => received + stale,

  stats(): SubscriberStats {
    let socketsWithEvent = 0;
    let socketsOpen = 0;
    for (let i = 0; i < held.length; i++) {
      if ((perSocket[i] ?? 0) > 0) socketsWithEvent++;
      if (held[i]?.isOpen()) socketsOpen++;
    }
    return {
      received,
      stale,
      socketsWithEvent,
      socketsOpen,
      closedByServer,
      closeCodes,
      latency: latency.toData(),
      firstAtMs,
      lastAtMs,
    };
  },

  async closeAll() {
    closing = true;
    let count = 0;
    for (const socket of held) {
      if (!socket) continue;
      socket.close();
      count++;
    }
    held = [];
    perSocket = new Uint32Array(0);
    closedByServer = 0;
    closeCodes = {};
    // Let the closes reach the server before the next measurement starts.
    await sleep(Math.min(2_000, 100 + count / 20));
    return count;
  },
});

function grow(array: Uint32Array, size: number): Uint32Array {
  if (array.length >= size) return array;
  const bigger = new Uint32Array(size);
  bigger.set(array);
  return bigger;
}
