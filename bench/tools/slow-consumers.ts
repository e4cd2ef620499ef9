import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { sleep } from '../src/clock.js';
import { createHirechatRooms, hirechatSocketUrl } from '../src/hirechat-setup.js';
import { killAllServers, type RunningServer, startHirechat } from '../src/servers.js';

/*
 * Slow consumers (contract, "Limits"): 100 sockets of one room that complete the handshake and never
 * read, while 20 MB of messages are posted to the room, against the reference server with its
 * backlog bound (SOCKET_MAX_BACKLOG_BYTES, default 4 MiB) and without one (the bound set past
 * reach). Reports the server's RSS growth over its RSS with the sockets open (the peak while the
 * messages flow, and what is left 2 s after the last one), the median of the runs of each, and
 * their ratio; and checks that a socket of the room that reads gets every message either way.
 *
 *   node --conditions=@hirechat/source --import tsx bench/tools/slow-consumers.ts [runs=3]
 */

const SLOW_SOCKETS = 100;
const MESSAGES = 2_000;
/** 10,000 characters, the most a message may hold: 2,000 of them are 20 MB. */
const CONTENT_CHARS = 10_000;
const WRITERS = 4;
/** No bound: past any backlog 20 MB could make. */
const NO_BOUND = String(Number.MAX_SAFE_INTEGER);
const VARIANTS = [
  // What posting 20 MB costs the server with no slow socket at all: the growth to subtract.
  { name: 'no slow sockets', backlog: String(4 * 1024 * 1024), slowSockets: 0 },
  { name: 'bound 4 MiB (default)', backlog: String(4 * 1024 * 1024), slowSockets: SLOW_SOCKETS },
  { name: 'no bound', backlog: NO_BOUND, slowSockets: SLOW_SOCKETS },
] as const;

interface Run {
  baselineMb: number;
  peakGrowthMb: number;
  endGrowthMb: number;
  /**
   * Slow sockets the server closed: their stream ended with a 1013 close frame, or, when the run
   * outlasted ws's 30 s wait for the close to be answered, the server ended the connection.
   */
  closedByServer: number;
  /** Messages the reading socket got. */
  delivered: number;
}

const runs = Number(process.argv[2] ?? 3);
process.on('SIGINT', () => {
  killAllServers();
  process.exit(130);
});

const results = new Map<string, Run[]>();
for (let round = 0; round < runs; round++) {
  // The variants take turns, so that a machine busier in one stretch weighs on both alike.
  for (const variant of VARIANTS) {
    const run = await measure(variant.backlog, variant.slowSockets);
    console.error(`${variant.name}, run ${round + 1}: ${JSON.stringify(run)}`);
    results.set(variant.name, [...(results.get(variant.name) ?? []), run]);
  }
}
report(results);

async function measure(backlog: string, slowSockets: number): Promise<Run> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-slow-'));
  const secret = randomBytes(32).toString('hex');
  const server = await startHirechat({
    dataDir,
    jwtSecret: secret,
    env: { SOCKET_MAX_BACKLOG_BYTES: backlog },
  });
  const slow: Array<{ socket: Socket; tail: Buffer; ended: boolean }> = [];
  let reader: WebSocket | undefined;
  try {
    const { writerToken, rooms } = await createHirechatRooms(server.baseUrl, secret, [SLOW_SOCKETS]);
    const room = rooms[0]!;
    for (const token of room.memberTokens.slice(0, slowSockets)) {
      slow.push(await openWithoutReading(server, room.uuid, token));
    }
    let delivered = 0;
    reader = new WebSocket(hirechatSocketUrl(server.baseUrl, room.uuid, writerToken));
    reader.on('message', (data) => {
      if (String(data).startsWith('{"type":"message_created"')) delivered++;
    });
    await once(reader, 'open');

    await sleep(1_000);
    const baseline = await server.rssBytes();
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await server.rssBytes());
        await sleep(100);
      }
    })();
    await post(server.baseUrl, room.uuid, writerToken);
    const deadline = Date.now() + 60_000;
    while (delivered < MESSAGES && Date.now() < deadline) await sleep(50);
    await sleep(2_000);
    sampling = false;
    await sampler;
    const end = await server.rssBytes();

    // Read what each slow socket was sent, to see how it ended: a bounded server closed it (its
    // close frame comes after the backlog it had, and only the last bytes are kept).
    if (backlog !== NO_BOUND) {
      for (const entry of slow) {
        entry.socket.on('data', (chunk: Buffer) => {
          entry.tail = Buffer.concat([entry.tail, chunk]).subarray(-256);
        });
        entry.socket.resume();
      }
      const readDeadline = Date.now() + 25_000;
      const done = ({ tail, ended }: (typeof slow)[number]) => ended || closeCode(tail) !== null;
      while (Date.now() < readDeadline && !slow.every(done)) await sleep(200);
    }
    const closedByServer = slow.filter(({ tail, ended }) => ended || closeCode(tail) === 1013).length;

    const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    return {
      baselineMb: mb(baseline),
      peakGrowthMb: mb(peak - baseline),
      endGrowthMb: mb(end - baseline),
      closedByServer,
      delivered,
    };
  } finally {
    reader?.terminate();
    for (const { socket } of slow) socket.destroy();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A raw client that completes the handshake, then reads nothing more from the network. */
async function openWithoutReading(server: RunningServer, room: string, token: string) {
  const url = new URL(hirechatSocketUrl(server.baseUrl, room, token));
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
      'Sec-WebSocket-Version: 13\r\n\r\n',
  );
  let head = '';
  while (!head.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    head += chunk.toString('latin1');
  }
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`handshake refused: ${head.split('\r\n')[0]}`);
  socket.pause();
  const entry = { socket, tail: Buffer.alloc(0), ended: false };
  socket.on('error', () => undefined);
  socket.on('close', () => {
    entry.ended = true;
  });
  return entry;
}

/** Posts MESSAGES messages of CONTENT_CHARS characters over REST, WRITERS at a time. */
async function post(baseUrl: string, room: string, token: string): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < MESSAGES) {
      const i = next++;
      const content = `${i} `.padEnd(CONTENT_CHARS, 'x');
      const response = await fetch(`${baseUrl}/chats/messages/create/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ chat_room: room, content }),
      });
      await response.arrayBuffer();
      if (response.status !== 201) throw new Error(`posting answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

/** The code of the close frame that ends the stream (its last bytes), or null. */
function closeCode(tail: Buffer): number | null {
  // A close frame from a server: 0x88, its length (2 to 125, unmasked), the code, the reason.
  for (let length = 2; length <= 125 && length + 2 <= tail.length; length++) {
    const at = tail.length - length - 2;
    if (tail[at] === 0x88 && tail[at + 1] === length) return tail.readUInt16BE(at + 2);
  }
  return null;
}

function report(all: Map<string, Run[]>): void {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const rows = [...all].map(([name, list]) => ({
    name,
    peak: median(list.map((run) => run.peakGrowthMb)),
    end: median(list.map((run) => run.endGrowthMb)),
    closed: median(list.map((run) => run.closedByServer)),
    slow: VARIANTS.find((variant) => variant.name === name)?.slowSockets ?? 0,
    delivered: Math.min(...list.map((run) => run.delivered)),
    runs: list.length,
  }));
  console.log(
    `${SLOW_SOCKETS} sockets that never read, ${MESSAGES} messages of ${CONTENT_CHARS} characters (20 MB) posted to their room; medians of ${runs} runs.\n`,
  );
  console.log(
    '| server | RSS growth, peak | RSS growth, 2 s after | slow sockets the server closed | a reading socket got |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${row.peak} MB | ${row.end} MB | ${row.closed} of ${row.slow} | ${row.delivered} of ${MESSAGES} |`,
    );
  }
  const [reference, bounded, unbounded] = rows;
  if (reference && bounded && unbounded) {
    // What the slow sockets cost: the growth over the run without them (0 when within its noise).
    const cost = (row: typeof bounded, key: 'peak' | 'end') => Math.max(row[key] - reference[key], 0);
    const ratio = (key: 'peak' | 'end') =>
      cost(bounded, key) >= 1 ? ` (${(cost(unbounded, key) / cost(bounded, key)).toFixed(1)}×)` : '';
    console.log(
      '\nWhat the slow sockets cost, over the run without them: ' +
        `peak +${cost(bounded, 'peak').toFixed(1)} MB with the bound, +${cost(unbounded, 'peak').toFixed(1)} MB without${ratio('peak')}; ` +
        `2 s after, +${cost(bounded, 'end').toFixed(1)} MB and +${cost(unbounded, 'end').toFixed(1)} MB${ratio('end')}.`,
    );
  }
}
