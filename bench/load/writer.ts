import http from 'node:http';
import { type Socket as IoSocket, io } from 'socket.io-client';
import WebSocket from 'ws';
import { nowMs, pollUntil } from '../src/clock.js';
import { Histogram, type HistogramData } from '../src/histogram.js';
import { serve } from '../src/rpc.js';
import { referenceEvent, stampContent, type WriterTarget } from '../src/wire.js';

/*
 * Posts messages at a fixed rate, round robin over its rooms: over REST to hirechat and the floor
 * (as hirechat's users do), over a WebSocket to the reference servers (which have no REST). The schedule is open-loop:
 * message i leaves at start + i / rate whether or not earlier ones were answered, so a slow server
 * shows up as latency rather than as a politely slower writer.
 */

export interface WriterResult {
  /** Messages the schedule called for. */
  planned: number;
  /** Sent and, for REST, answered 201. */
  ok: number;
  failed: number;
  /** Not sent because too many requests were already waiting for an answer. */
  skipped: number;
  /** Successful messages by room index. */
  perRoom: number[];
  startedAtMs: number;
  /** When the last message was sent. */
  sentAtMs: number;
  /** When the last answer came (REST), or the last send (WebSocket). */
  doneAtMs: number;
  /** REST response times (hirechat only). */
  rest: HistogramData | null;
  firstError: string | null;
}

let target: WriterTarget | null = null;
let agent: http.Agent | null = null;
let wsWriter: WebSocket | null = null;
let ioWriter: IoSocket | null = null;

async function setup(payload: WriterTarget): Promise<boolean> {
  await teardown();
  target = payload;
  if (payload.kind === 'rest') {
    agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  } else if (payload.kind === 'ws') {
    wsWriter = await new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`${payload.baseUrl.replace(/^http/, 'ws')}/?writer=1`, {
        perMessageDeflate: false,
      });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  } else {
    const socket = io(payload.baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    ioWriter = socket;
  }
  return true;
}

async function teardown(): Promise<boolean> {
  agent?.destroy();
  agent = null;
  wsWriter?.terminate();
  wsWriter = null;
  ioWriter?.disconnect();
  ioWriter = null;
  target = null;
  return true;
}

/** Posts one message over REST; answers whether hirechat stored it (201). */
function post(
  base: URL,
  token: string,
  room: string,
  content: string,
  sentAtMs: number,
  rest: Histogram,
): Promise<true | string> {
  const body = JSON.stringify({ chat_room: room, content });
  return new Promise((resolve) => {
    const request = http.request(
      {
        agent: agent ?? undefined,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: '/chats/messages/create/',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: 30_000,
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          rest.recordMs(nowMs() - sentAtMs);
          resolve(response.statusCode === 201 ? true : `HTTP ${response.statusCode}`);
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve(error.message));
    request.end(body);
  });
}

async function run(payload: {
  step: number;
  rate: number;
  durationMs: number;
  /** REST requests allowed to wait for an answer at once; beyond it, messages are skipped. */
  maxInFlight: number;
  /** How long to wait for the last answers. */
  answerTimeoutMs: number;
}): Promise<WriterResult> {
  const current = target;
  if (!current) throw new Error('writer is not set up');
  const { step, rate } = payload;
  const planned = Math.max(1, Math.round((rate * payload.durationMs) / 1000));
  const rooms = current.rooms;
  const perRoom = new Array<number>(rooms.length).fill(0);
  const rest = new Histogram();
  const base = new URL(current.baseUrl);
  let ok = 0;
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let firstError: string | null = null;
  let seq = 0;

  const send = (roomIndex: number) => {
    const room = rooms[roomIndex]!;
    const sentAtMs = nowMs();
    const content = stampContent(step, seq++, sentAtMs);
    if (current.kind === 'rest') {
      inFlight++;
      void post(base, current.token, room, content, sentAtMs, rest).then((outcome) => {
        inFlight--;
        if (outcome === true) {
          ok++;
          perRoom[roomIndex]!++;
        } else {
          failed++;
          firstError ??= outcome;
        }
      });
    } else if (current.kind === 'ws') {
      // The bare ws server's framing: the room, a newline, then the event as every member gets it.
      wsWriter!.send(`${room}\n${JSON.stringify(referenceEvent(room, content))}`);
      ok++;
      perRoom[roomIndex]!++;
    } else {
      ioWriter!.emit('post', room, referenceEvent(room, content));
      ok++;
      perRoom[roomIndex]!++;
    }
  };

  const startedAtMs = nowMs();
  let issued = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(planned, Math.floor(((nowMs() - startedAtMs) * rate) / 1000) + 1);
      while (issued < due) {
        if (current.kind === 'rest' && inFlight >= payload.maxInFlight) skipped++;
        else send(issued % rooms.length);
        issued++;
      }
      if (issued >= planned) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sentAtMs = nowMs();
  await pollUntil(() => inFlight === 0, payload.answerTimeoutMs, 5);
  failed += inFlight;
  return {
    planned,
    ok,
    failed,
    skipped,
    perRoom,
    startedAtMs,
    sentAtMs,
    doneAtMs: nowMs(),
    rest: current.kind === 'rest' ? rest.toData() : null,
    firstError,
  };
}

serve({ ping: () => true, setup, run, teardown });
