import { sleep } from '../clock.js';
import { cpuMsBetween } from '../cpu.js';
import { openFileLimit, SERVER_FD_RESERVE } from '../limits.js';
import { type RunningServer, startServer } from '../servers.js';
import { SERVER_LABELS, type ServerKind } from '../wire.js';
import { type RunContext, serverOptions } from './context.js';
import { makeLayout, roomSizes } from './layout.js';
import { LoadPool, nextStep } from './load-pool.js';

export interface ConnectionsRun {
  server: ServerKind;
  requested: number;
  opened: number;
  failed: number;
  firstError: string | null;
  seconds: number;
  handshakesPerSec: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssPerSocketBytes: number;
  /** The server's CPU time (user + system) while the sockets opened, per socket opened, µs. */
  cpuPerHandshakeUs: number | null;
  /** The server's CPU time for the last message to every room, per event delivered, µs. */
  cpuPerEventUs: number | null;
  /** Sockets that got the event posted to their room at the end. */
  socketsWithEvent: number;
  /** Sockets still open at the end. */
  socketsOpen: number;
}

export interface ConnectionsResult {
  runs: ConnectionsRun[];
  /** Sockets asked for, and what the open-file limit allowed. */
  requested: number;
  sockets: number;
  cappedBy: string | null;
  roomSize: number;
  loadProcesses: number;
  concurrency: number;
}

/**
 * Scenario 2: N idle authenticated sockets on one server process. Handshakes per second while they
 * open (a bounded number in flight per load process), the server's RSS per socket once they are
 * open, and an event posted to every room at the end that every socket must receive.
 */
export async function runConnections(context: RunContext): Promise<ConnectionsResult> {
  const { options, log } = context;
  const settings = options.connections;
  const limit = openFileLimit();
  let sockets = settings.sockets;
  let cappedBy: string | null = null;
  if (limit && limit.soft - SERVER_FD_RESERVE < sockets) {
    sockets = Math.max(1, limit.soft - SERVER_FD_RESERVE);
    cappedBy =
      `the open-file limit (soft ${limit.soft}, hard ${limit.hard}): one server process holds every socket, ` +
      `so at most ${sockets} leave room for its ${SERVER_FD_RESERVE} other descriptors`;
    log(`connections: ${settings.sockets} asked, ${sockets} possible under ${cappedBy}`);
  }
  const perProcess = Math.min(settings.socketsPerProcess, limit ? limit.soft - SERVER_FD_RESERVE : Infinity);
  const pool = await LoadPool.start(Math.ceil(sockets / perProcess));
  const runs: ConnectionsRun[] = [];
  try {
    for (const kind of options.servers) {
      // A fresh process per server, so that its memory holds these sockets and nothing before them.
      const server = await startServer(kind, await serverOptions(context, 'connections'));
      try {
        runs.push(await measure(server, sockets, pool, context));
      } finally {
        await server.stop();
      }
      const run = runs.at(-1)!;
      log(
        `connections on ${SERVER_LABELS[kind]}: ${run.opened}/${run.requested} open in ${run.seconds.toFixed(1)} s ` +
          `(${Math.round(run.handshakesPerSec)}/s), ${(run.rssPerSocketBytes / 1024).toFixed(1)} KiB RSS per socket, ` +
          `${run.socketsWithEvent} got the last event; CPU ${us(run.cpuPerHandshakeUs)} µs per handshake, ` +
          `${us(run.cpuPerEventUs)} µs per event of the last message`,
      );
    }
  } finally {
    await pool.stop();
  }
  return {
    runs,
    requested: settings.sockets,
    sockets,
    cappedBy,
    roomSize: settings.roomSize,
    loadProcesses: pool.processes,
    concurrency: settings.concurrency * pool.subscribers.length,
  };
}

async function measure(server: RunningServer, sockets: number, pool: LoadPool, context: RunContext) {
  const { roomSize, concurrency } = context.options.connections;
  const sizes = roomSizes(sockets, roomSize);
  const layout = await makeLayout(server, sizes, context.jwtSecret);
  // Warm up the handshake path (JIT, lazily made objects) before the memory baseline.
  const warm = await pool.connect(layout.sockets.slice(0, Math.min(50, sockets)), concurrency, 30_000);
  if (warm.failed > 0) throw new Error(`warm-up sockets failed to open: ${warm.firstError}`);
  await pool.release();
  await sleep(1_000);
  const rssBeforeBytes = await server.rssBytes();

  const cpuBefore = await server.cpuTime();
  const connect = await pool.connect(layout.sockets, concurrency, 300_000);
  const cpuAfterConnect = await server.cpuTime();
  await sleep(2_000);
  const rssAfterBytes = await server.rssBytes();

  // One message to every room; every socket must get it.
  const step = nextStep();
  await pool.reset(step);
  await pool.setupWriter(layout.writer);
  const cpuBeforeWrite = await server.cpuTime();
  const written = await pool.write(step, Math.max(1, sizes.length), 1_000, 60_000);
  const expected = written.perRoom.reduce((sum, count, room) => sum + count * (sizes[room] ?? 0), 0);
  await pool.drain(expected, 30_000);
  const cpuWriteMs = cpuMsBetween(cpuBeforeWrite, await server.cpuTime());
  const got = await pool.collect();
  const cpuConnectMs = cpuMsBetween(cpuBefore, cpuAfterConnect);
  await pool.release();
  return {
    server: server.kind,
    requested: sockets,
    opened: connect.opened,
    failed: connect.failed,
    firstError: connect.firstError,
    seconds: connect.seconds,
    handshakesPerSec: connect.seconds > 0 ? connect.opened / connect.seconds : 0,
    rssBeforeBytes,
    rssAfterBytes,
    rssPerSocketBytes: connect.opened > 0 ? (rssAfterBytes - rssBeforeBytes) / connect.opened : 0,
    cpuPerHandshakeUs: connect.opened > 0 ? (cpuConnectMs * 1000) / connect.opened : null,
    cpuPerEventUs: got.received > 0 ? (cpuWriteMs * 1000) / got.received : null,
    socketsWithEvent: got.socketsWithEvent,
    socketsOpen: got.socketsOpen,
  };
}

const us = (value: number | null) => (value === null ? '—' : value.toFixed(0));
