import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg, setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RestPaths } from '@hirechat/protocol';
import { signAccessToken } from '@hirechat/server-kit';
import { createTestDatabase, freePort } from '@hirechat/server-kit/testing';
import type { HttpLoadResult } from '../load/http-load.js';
import { prepareBaseline } from '../src/baseline.js';
import { forkWorker, TS_EXEC_ARGV } from '../src/rpc.js';
import { ROOT, startHirechat } from '../src/servers.js';

/*
 * Issue 11: does sending webhooks slow message creation? The reference server (SQLite, from its
 * sources) under autocannon creating text messages, in modes that take turns round by round, so
 * that a machine whose load drifts moves them alike:
 *
 * - off:      no WEBHOOK_URLS (the reference);
 * - up:       WEBHOOK_URLS pointing at a receiver in this process that answers 204 at once, sent by
 *             the server's own delivery loop;
 * - down:     WEBHOOK_URLS pointing at a port where nothing listens: every event fails its first
 *             attempt and waits for its retries, a backlog growing by every message created;
 * - separate: as up, but the server runs with WEBHOOK_DELIVER=off and `npm run webhooks --
 *             deliver` (from source) sends, in a process of its own;
 * - nice:     as separate, the deliverer at nice 10 (os.setPriority), so that it takes the CPU
 *             only when the server leaves it free.
 *
 * Every mode but off queues `message.unread` state too (UNREAD_NOTIFY_AFTER_S at its default,
 * 300 s: the scan runs, no notification comes due). Default retry settings and WEBHOOK_POLL_MS.
 * Ratios are of the medians of each mode's rounds against off's; the load average (1 min) is
 * taken as each round starts.
 *
 *   node --conditions=@hirechat/source --import tsx bench/webhooks/create-throughput.ts [--seconds 10] [--rounds 3] [--connections 10] [--modes off,up,down,separate,nice] [--database sqlite|postgres] [--cpu-prof <dir>] [--baseline <rev>]
 *
 * --baseline also runs every mode with the reference server of that git revision (bench/src/baseline.ts),
 * taking turns with today's: before and after in one run.
 *
 * --cpu-prof writes a V8 CPU profile of each round's server into <dir>/<mode>-<round>/ (see
 * bench/tools/profile-top.ts).
 */

const ALL_MODES = ['off', 'up', 'down', 'separate', 'nice'] as const;
type Mode = (typeof ALL_MODES)[number];
/** The nice value of the deliverer in mode nice. */
const NICE = 10;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    modes: { type: 'string', default: ALL_MODES.join(',') },
    database: { type: 'string', default: 'sqlite' },
    out: { type: 'string', default: path.join(ROOT, 'bench/webhooks/results.md') },
    'cpu-prof': { type: 'string' },
    baseline: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const MODES = values.modes!.split(',').map((mode) => {
  if (!(ALL_MODES as readonly string[]).includes(mode)) throw new Error(`unknown mode ${mode}`);
  return mode as Mode;
});
if (!MODES.includes('off')) throw new Error('the modes must include off, the reference');
const database = values.database!;
if (database !== 'sqlite' && database !== 'postgres') throw new Error('--database is sqlite or postgres');

/** A receiver that takes every request and answers 204, counting them. */
async function receiver(): Promise<{ server: Server; url: string; count: () => number }> {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks`, count: () => received };
}

interface Run {
  mode: Mode;
  /** Source.name */
  source: string;
  round: number;
  /** Load average (1 min) as the round started. */
  load: number;
  okPerSec: number;
  p50: number;
  p99: number;
  /**
   * Modes that deliver: events of the server (its room, the warm-up's and the run's messages), how
   * many the receiver had taken when the load stopped, and how long after that it had them all
   * (null: not within DRAIN_LIMIT_MS).
   */
  delivered?: { atEnd: number; created: number; drainedMs: number | null };
  /**
   * CPU time of the server and of the deliverer (separate, nice) per message created, in µs: from
   * before the warm-up until every event was delivered (off and down: until the load stopped).
   */
  cpuPerMessageUs: number;
}

/** How long the receiver is given, after the load stops, to have every event. */
const DRAIN_LIMIT_MS = 60_000;
/** Clock ticks per second of /proc/<pid>/stat. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU time (user + system) a process without the probe has used, in ms, from /proc. */
async function procCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (in parentheses, which may hold spaces): utime is the 14th
  // field of the line, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Whose reference server runs: this checkout's, or a baseline revision's. */
interface Source {
  /** "today", or the revision. */
  name: string;
  root: string;
}

async function runMode(
  mode: Mode,
  round: number,
  sink: Awaited<ReturnType<typeof receiver>>,
  source: Source,
): Promise<Run> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'hirechat-webhook-bench-'));
  const jwtSecret = randomBytes(32).toString('hex');
  const refused = `http://127.0.0.1:${await freePort()}/hooks`;
  const load = loadavg()[0]!;
  // A fresh database per round, as a fresh SQLite file is.
  const postgres = database === 'postgres' ? await createTestDatabase() : null;
  const env: Record<string, string> = {
    ...(postgres && { DATABASE_URL: postgres.url }),
    ...(mode !== 'off' && {
      WEBHOOK_URLS: mode === 'down' ? refused : sink.url,
      WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
      ...((mode === 'separate' || mode === 'nice') && { WEBHOOK_DELIVER: 'off' }),
    }),
  };
  const server = await startHirechat({
    dataDir: scratch,
    jwtSecret,
    env,
    label: `hirechat ${source.name} (${mode})`,
    sourceRoot: source.root,
    ...(values['cpu-prof'] && {
      cpuProfileDir: path.join(values['cpu-prof'], `${source.name}-${mode}-${round}`),
    }),
  });
  const deliverer =
    mode === 'separate' || mode === 'nice'
      ? await startDeliverer(
          { DATA_DIR: scratch, JWT_SECRET: jwtSecret, ...env },
          mode === 'nice' ? NICE : 0,
          source.root,
        )
      : null;
  const before = sink.count();
  const autocannon = forkWorker('http-load');
  try {
    const recruiter = randomUUID();
    const token = signAccessToken(jwtSecret, { sub: recruiter, role: 'recruiter' }, { expiresIn: 3600 });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${server.baseUrl}${RestPaths.createRoom}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ recruiter, clients: [randomUUID()] }),
    });
    const room = ((await created.json()) as { uuid: string }).uuid;
    const request = {
      url: `${server.baseUrl}${RestPaths.createMessage}`,
      method: 'POST' as const,
      headers,
      body: JSON.stringify({ chat_room: room, content: 'hello from autocannon' }),
      connections,
    };
    await autocannon.call('ping', undefined, 60_000);
    const cpuMs = async () => {
      const { userMs, systemMs } = await server.cpuTime();
      return userMs + systemMs + (deliverer ? await procCpuMs(deliverer.pid!) : 0);
    };
    const cpuBefore = await cpuMs();
    const warmup = await autocannon.call<HttpLoadResult>('run', { ...request, seconds: 2 }, 62_000);
    const result = await autocannon.call<HttpLoadResult>(
      'run',
      { ...request, seconds },
      seconds * 1000 + 60_000,
    );
    let delivered: Run['delivered'];
    if (mode !== 'off' && mode !== 'down') {
      const created = 1 + warmup.ok + result.ok;
      const atEnd = sink.count() - before;
      const stopped = Date.now();
      while (sink.count() - before < created && Date.now() - stopped < DRAIN_LIMIT_MS) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      delivered = {
        atEnd,
        created,
        drainedMs: sink.count() - before >= created ? Date.now() - stopped : null,
      };
    }
    return {
      mode,
      source: source.name,
      round,
      load,
      okPerSec: result.okPerSec,
      p50: result.latency.p50,
      p99: result.latency.p99,
      ...(delivered && { delivered }),
      cpuPerMessageUs: (((await cpuMs()) - cpuBefore) * 1000) / (warmup.ok + result.ok),
    };
  } finally {
    await autocannon.stop();
    await stopChild(deliverer);
    await server.stop();
    await postgres?.drop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * `npm run webhooks -- deliver` from source, with the server's environment, at nice `nice`;
 * resolves once it says it delivers.
 */
async function startDeliverer(
  env: Record<string, string>,
  nice: number,
  root: string,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...TS_EXEC_ARGV, path.join(root, 'apps/reference-server/src/webhooks/webhooks-cli.ts'), 'deliver'],
    { cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (nice !== 0) setPriority(child.pid!, nice);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('"msg":"delivering webhooks"')) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', () => reject(new Error(`the deliverer exited:\n${output}`)));
  });
  // Its log is not read from here on; dropped rather than left to fill the pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

const drained = (delivered: NonNullable<Run['delivered']>) =>
  delivered.drainedMs === null ? `not within ${DRAIN_LIMIT_MS / 1000} s` : `${delivered.drainedMs} ms later`;

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const sink = await receiver();
const sources: Source[] = [{ name: 'today', root: ROOT }];
const scratchRoot = await mkdtemp(path.join(tmpdir(), 'hirechat-webhook-bench-sources-'));
let baselineLine = '';
if (values.baseline) {
  const baseline = await prepareBaseline(values.baseline, scratchRoot);
  sources.push({ name: values.baseline, root: baseline.root });
  baselineLine = `\nBaseline: ${baseline.commit.slice(0, 7)} "${baseline.subject}"${baseline.lockChanged ? " (its package-lock.json differs from today's)" : ''}, taking turns with today's server mode by mode.\n`;
}
const runs: Run[] = [];
const loadBefore = loadavg()[0]!;
for (let round = 1; round <= rounds; round++) {
  for (const mode of MODES) {
    for (const source of sources) {
      const run = await runMode(mode, round, sink, source);
      runs.push(run);
      console.log(
        `round ${round} ${source.name} ${mode} (load ${run.load.toFixed(1)}): ${Math.round(run.okPerSec)} creates/s, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms` +
          `, ${Math.round(run.cpuPerMessageUs)} µs CPU a message` +
          (run.delivered
            ? `, delivered ${run.delivered.atEnd}/${run.delivered.created} by the end, all ${drained(run.delivered)}`
            : ''),
      );
    }
  }
}
sink.server.close();
await rm(scratchRoot, { recursive: true, force: true });

const loads = runs.map((r) => r.load);
const rows = sources.flatMap((source) => {
  const of = (mode: Mode) => runs.filter((r) => r.source === source.name && r.mode === mode);
  const off = median(of('off').map((r) => r.okPerSec));
  const offCpu = median(of('off').map((r) => r.cpuPerMessageUs));
  return MODES.map((mode) => {
    const mine = of(mode);
    const rate = median(mine.map((r) => r.okPerSec));
    const cpu = median(mine.map((r) => r.cpuPerMessageUs));
    const todays = median(
      runs.filter((r) => r.source === 'today' && r.mode === mode).map((r) => r.cpuPerMessageUs),
    );
    const cells = [
      sources.length > 1 ? `${mode} (${source.name})` : mode,
      Math.round(rate),
      (rate / off).toFixed(2),
      median(mine.map((r) => r.p50)).toFixed(1),
      median(mine.map((r) => r.p99)).toFixed(1),
      Math.round(cpu),
      (cpu / offCpu).toFixed(2),
      ...(sources.length > 1 ? [(todays / cpu).toFixed(2)] : []),
      mine.map((r) => Math.round(r.okPerSec)).join(', '),
      mine.map((r) => r.load.toFixed(1)).join(', '),
    ];
    return `| ${cells.join(' | ')} |`;
  });
});
const deliveredLines = sources.flatMap((source) =>
  MODES.flatMap((mode) => {
    const mine = runs.filter((r) => r.source === source.name && r.mode === mode && r.delivered);
    if (mine.length === 0) return [];
    const each = mine.map(
      (r) => `${r.delivered!.atEnd}/${r.delivered!.created} (all ${drained(r.delivered!)})`,
    );
    return [`  - ${sources.length > 1 ? `${mode} (${source.name})` : mode}: ${each.join('; ')}`];
  }),
);
const todayColumn = sources.length > 1 ? ' today ÷ this |' : '';
const report = `# Message create with webhooks on and off

\`node --conditions=@hirechat/source --import tsx bench/webhooks/create-throughput.ts --seconds ${seconds} --rounds ${rounds} --connections ${connections} --modes ${MODES.join(',')} --database ${database}${values.baseline ? ` --baseline ${values.baseline}` : ''}\`,
${new Date().toISOString()}. The reference server on ${database === 'sqlite' ? 'SQLite' : 'PostgreSQL (a fresh database each round)'}, autocannon with ${connections} connections creating text
messages in one room for ${seconds} s per round (after 2 s of warm-up), the modes taking turns round by round.
Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), load average (1 min) ${loadBefore.toFixed(1)} at the start,
from ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} as the rounds started,
**shared with other developers' test runs while this ran**: compare the modes with each other, not with other runs.
${baselineLine}
| webhooks | creates/s (median) | ratio to off | p50 ms | p99 ms | CPU µs a message (median) | ratio to off |${todayColumn} creates/s each round | load as each round started |
| --- | --- | --- | --- | --- | --- | --- |${sources.length > 1 ? ' --- |' : ''} --- | --- |
${rows.join('\n')}

- **CPU µs a message**: the server's CPU time (and the deliverer's, in separate and nice) from before
  the warm-up until the receiver had every event (off and down: until the load stopped), over the
  messages created: a create and its delivery together, which the machine's load moves far less
  than the rate held.
- **up**, **separate**, **nice**: a receiver answering 204 at once. Webhooks delivered by the end of
  each round / created (the room, the warm-up's and the run's messages), and when all had arrived:
${deliveredLines.join('\n')}
- **down**: nothing listens at the URL. The first attempts fail at once (connection refused); the
  URL is then left alone for its backoff (5-10 s, then 10-20 s, ...: the default) and probed with one
  delivery at a time, so every message created while it is down waits in the queue, which grows
  by each of them.
- **separate**: the server with \`WEBHOOK_DELIVER=off\`, and \`npm run webhooks -- deliver\` (from
  source) beside it on the same database, polling every \`WEBHOOK_POLL_MS\` (1 s); **nice**: the
  same deliverer at nice ${NICE}.
`;
await mkdir(path.dirname(values.out!), { recursive: true });
await writeFile(values.out!, report);
console.log(`\n${report}\nwritten to ${values.out}`);
