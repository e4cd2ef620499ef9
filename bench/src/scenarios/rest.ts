import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RestPaths } from '@hirechat/protocol';
import { signAccessToken } from '@hirechat/server-kit';
import type { HttpLoadRequest, HttpLoadResult } from '../../load/http-load.js';
import type { SeedResult } from '../../load/seed.js';
import { cpuMsBetween } from '../cpu.js';
import { DATABASE_FILE } from '../database-file.js';
import { forkWorker } from '../rpc.js';
import { type RunningServer, startHirechat } from '../servers.js';
import { ms, type RunContext } from './context.js';

export interface RestRun extends HttpLoadResult {
  name: string;
  /** The server's CPU time (user + system) over the run per 2xx answer, µs: at saturation, not a fixed rate. */
  cpuPerRequestUs: number | null;
}

export interface RestResult {
  seededMessages: number;
  seedSeconds: number;
  smallRoom: number;
  bigRoom: number;
  connections: number;
  runs: RestRun[];
  /** p50 of the newest page in the big room over that in the small room: 1 means no growth. */
  listGrowth: number | null;
}

/**
 * Scenario 3: hirechat's REST under autocannon: creating a text message, creating a 100 KiB file
 * message, and listing the newest page of a room of a thousand and of a million messages (seeded
 * into SQLite before the server starts). The reference servers have no REST; hirechat runs alone.
 */
export async function runRest(context: RunContext): Promise<RestResult> {
  const { options, log } = context;
  const settings = options.rest;
  const dataDir = await mkdtemp(path.join(context.scratchDir, 'rest-'));
  const recruiter = randomUUID();
  const client = randomUUID();
  const rooms = { write: randomUUID(), small: randomUUID(), big: randomUUID() };
  // Each room its own client, since a recruiter and set of clients make exactly one room.
  const seedRooms = [
    { uuid: rooms.write, recruiter, clients: [client], messages: 0 },
    { uuid: rooms.small, recruiter, clients: [randomUUID()], messages: settings.smallRoom },
    { uuid: rooms.big, recruiter, clients: [randomUUID()], messages: settings.bigRoom },
  ];

  const seeder = forkWorker('seed');
  let seeded: SeedResult;
  try {
    log(
      `rest: seeding ${(settings.smallRoom + settings.bigRoom).toLocaleString('en-US')} messages into SQLite`,
    );
    seeded = await seeder.call<SeedResult>(
      'seed',
      { file: path.join(dataDir, DATABASE_FILE), rooms: seedRooms },
      600_000,
    );
    log(`rest: seeded in ${seeded.seconds.toFixed(1)} s`);
  } finally {
    await seeder.stop();
  }

  const server = await startHirechat({
    dataDir,
    jwtSecret: context.jwtSecret,
    ...(context.profileDir ? { cpuProfileDir: context.profileDir } : {}),
  });
  const load = forkWorker('http-load');
  const runs: RestRun[] = [];
  try {
    const token = signAccessToken(
      context.jwtSecret,
      { sub: recruiter, role: 'recruiter' },
      { expiresIn: 21_600 },
    );
    const headers = { authorization: `Bearer ${token}` };
    const file = path.join(dataDir, 'upload-100k.bin');
    await writeFile(file, randomBytes(settings.fileBytes));
    const listUrl = (room: string) => `${server.baseUrl}/chats/messages/list/?chat_room=${room}`;
    const requests: Array<[string, Omit<HttpLoadRequest, 'seconds' | 'connections'>]> = [
      [
        'create message (text)',
        {
          url: `${server.baseUrl}/chats/messages/create/`,
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ chat_room: rooms.write, content: 'hello from autocannon' }),
        },
      ],
      [
        `create message (${Math.round(settings.fileBytes / 1024)} KiB file)`,
        {
          url: `${server.baseUrl}/chats/messages/create/`,
          method: 'POST',
          headers,
          form: { chat_room: { type: 'text', value: rooms.write }, file: { type: 'file', path: file } },
        },
      ],
      [
        `list newest page (${count(settings.smallRoom)} messages)`,
        { url: listUrl(rooms.small), method: 'GET', headers },
      ],
      [
        `list newest page (${count(settings.bigRoom)} messages)`,
        { url: listUrl(rooms.big), method: 'GET', headers },
      ],
      [
        // The recruiter's inbox: each room with its last message and unread count.
        `list rooms (3, one of ${count(settings.bigRoom)} messages)`,
        { url: `${server.baseUrl}${RestPaths.listRooms}`, method: 'GET', headers },
      ],
    ];
    await load.call('ping', undefined, 60_000);
    for (const [name, request] of requests) {
      await checkOnce(server, name, request);
      if (settings.warmupSeconds > 0) {
        await load.call('run', {
          ...request,
          seconds: settings.warmupSeconds,
          connections: settings.connections,
        });
      }
      const before = await server.cpuTime();
      const result = await load.call<HttpLoadResult>(
        'run',
        { ...request, seconds: settings.seconds, connections: settings.connections },
        settings.seconds * 1000 + 60_000,
      );
      const cpuMs = cpuMsBetween(before, await server.cpuTime());
      const cpuPerRequestUs = result.ok > 0 ? (cpuMs * 1000) / result.ok : null;
      runs.push({ name, ...result, cpuPerRequestUs });
      log(
        `rest: ${name}: ${Math.round(result.okPerSec)} req/s, p50 ${ms(result.latency.p50)} ms, p99 ${ms(result.latency.p99)} ms` +
          (cpuPerRequestUs === null ? '' : `, ${cpuPerRequestUs.toFixed(0)} µs CPU per request`) +
          (result.non2xx + result.errors > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''),
      );
    }
  } finally {
    await load.stop();
    await server.stop();
  }
  const small = runs[2]?.latency.p50;
  const big = runs[3]?.latency.p50;
  return {
    seededMessages: seeded.messages,
    seedSeconds: seeded.seconds,
    smallRoom: settings.smallRoom,
    bigRoom: settings.bigRoom,
    connections: settings.connections,
    runs,
    listGrowth: small && big ? big / small : null,
  };
}

/** One request by hand first, so that a wrong setup fails loudly instead of as a column of 4xx. */
async function checkOnce(
  server: RunningServer,
  name: string,
  request: Omit<HttpLoadRequest, 'seconds' | 'connections'>,
) {
  if (request.form) return; // autocannon builds the multipart body; its status codes are checked below.
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${name} on ${server.label} answered ${response.status}: ${text.slice(0, 300)}`);
}

const count = (n: number) => n.toLocaleString('en-US');
