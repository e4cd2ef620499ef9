import { loadText } from '../machine.js';
import type { CpuResult } from '../scenarios/cpu.js';
import { type CpuPhase, type CpuRun, ratioRunByRun } from '../scenarios/cpu-phase.js';
import type { Ramp } from '../scenarios/ramp.js';
import { SERVER_KINDS, SERVER_LABELS } from '../wire.js';
import type { BenchResults, SummaryRow } from './results.js';

/*
 * results.md: the goals first, then the headline figures side by side with hirechat's ratios,
 * then every step of every scenario for whoever wants to check a figure.
 */

const int = (value: number) => Math.round(value).toLocaleString('en-US');

function num(value: number | null | undefined, unit?: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'ms')
    return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  if (unit === 'KiB') return value.toFixed(1);
  if (unit === 'µs') return value >= 100 ? int(value) : value.toFixed(1);
  return int(value);
}

function ratio(value: number | null, better: SummaryRow['better']): string {
  if (value === null || !Number.isFinite(value)) return '—';
  // A ratio alone does not say whether it is good; the arrow does.
  const good = better === 'higher' ? value >= 1 : value <= 1;
  return `${value.toFixed(2)}× ${good ? '▲' : '▼'}`;
}

/** A markdown table; the columns named in `text` align left, the others (figures) right. */
function table(head: string[], rows: string[][], text: number[] = [0]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (text.includes(i) ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function rampRows(label: string, ramp: Ramp): string[][] {
  return ramp.steps.map((step) => [
    label,
    int(step.rate),
    int(step.sentPerSec),
    int(step.deliveredPerSec),
    `${int(step.received)} / ${int(step.expected)}`,
    num(step.latency.p50, 'ms'),
    num(step.latency.p99, 'ms'),
    num(step.latency.max, 'ms'),
    step.rest ? num(step.rest.p99, 'ms') : '—',
    (step.held ? 'held' : `**broke**: ${step.broke}`) +
      (step.firstTry ? ` (second try; the first broke: ${step.firstTry})` : ''),
  ]);
}

const STEP_TEXT = [0, 9];
const stepHead = (first: string) => [
  first,
  'rate (msg/s)',
  'sent (msg/s)',
  'delivered (events/s)',
  'received / expected',
  'p50 (ms)',
  'p99 (ms)',
  'max (ms)',
  'REST p99 (ms)',
  'step',
];

export function renderMarkdown(results: BenchResults): string {
  const { machine, options } = results;
  const out: string[] = [];
  out.push(`# hirechat benchmark, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC`);
  out.push('');
  out.push(
    `Profile \`${results.profile}\`, ${results.durationSeconds.toFixed(0)} s. ${machine.cpus} × ${machine.cpuModel}, ` +
      `${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB, Node ${machine.node}; load average before ${loadText(machine.loadBefore)}` +
      (machine.loadAfter ? `, after ${loadText(machine.loadAfter)}` : '') +
      '.',
  );
  if (options.nodeFlags?.length) {
    out.push(
      '',
      `Every hirechat and floor process ran with \`${options.nodeFlags.join(' ')}\` (\`--node-flags\`): ` +
        'flags that trace, log or profile add to the CPU figures, so compare them only with runs under the same flags.',
    );
  }
  out.push('');
  out.push(results.topology);
  out.push('');
  if (results.fanout?.series.length) out.push('![Fan-out latency against rate](latency.png)', '');
  out.push(
    `Ratios are hirechat ÷ the reference; ▲ marks a ratio in hirechat's favour (more throughput, or less latency or memory). ` +
      `A fan-out step holds when every event arrives, the writer gets 95 % of its messages through, and p99 stays under ${options.p99LimitMs} ms` +
      (options.fanout.confirmBreaks
        ? ' (a step that breaks is run once more, and breaks only if it breaks again); '
        : '; ') +
      '≥ marks a server that held every rate tried, so its limit lies higher.',
  );
  out.push('');

  out.push('## Goals', '');
  out.push(
    table(
      ['goal', 'status', 'figure'],
      results.goals.map((g) => [g.goal, g.status, g.figure]),
      [0, 1, 2],
    ),
  );
  out.push('');

  if (results.summary.length) {
    out.push('## Side by side', '');
    let section = '';
    const rows: string[][] = [];
    for (const r of results.summary) {
      const name = r.section === section ? '' : `**${r.section}**`;
      section = r.section;
      rows.push([
        name,
        `${r.figure} (${r.unit})`,
        ...SERVER_KINDS.map(
          (kind) => `${r.atLeast?.includes(kind) ? '≥ ' : ''}${num(r.values[kind], r.unit)}`,
        ),
        ratio(r.ratioToFloor, r.better),
        ratio(r.ratioToWs, r.better),
        ratio(r.ratioToSocketIo, r.better),
      ]);
    }
    out.push(
      table(
        [
          '',
          'figure',
          ...SERVER_KINDS.map((k) => SERVER_LABELS[k]),
          'hirechat ÷ floor',
          'hirechat ÷ bare ws',
          'hirechat ÷ Socket.IO',
        ],
        rows,
        [0, 1],
      ),
    );
    out.push('');
  }

  if (results.cpu) out.push(...cpuSection(results.cpu));

  if (results.errors.length) {
    out.push('## Errors', '');
    for (const error of results.errors) out.push(`- **${error.scenario}**: ${error.message.split('\n')[0]}`);
    out.push('');
  }

  if (results.fanout) {
    out.push('## 1. Fan-out', '');
    out.push(
      'A writer posts at a fixed rate, round robin over the rooms: over REST to hirechat and the floor, over a ' +
        'WebSocket to the references. Latency runs from the moment the writer sent a message to the moment each socket received it. ' +
        `Steps of ${(options.fanout.stepMs / 1000).toFixed(1)} s, ` +
        (options.fanout.warmupMs > 0
          ? `after a ${(options.fanout.warmupMs / 1000).toFixed(1)} s warm-up.`
          : 'no warm-up.') +
        ' hirechat stores each message (an SQLite transaction with the room’s event log) before anyone hears ' +
        'of it, and so does the floor, with the same statements; the references store nothing. In big rooms the ' +
        'fan-out is what costs; in small rooms the write sets hirechat’s rate, which section 3 measures alone ' +
        '(message create).',
    );
    out.push('');
    for (const shape of [...new Set(results.fanout.series.map((s) => s.shape))]) {
      const [rooms, members] = shape.split('x');
      out.push(`### ${rooms} room(s) × ${members} members`, '');
      const rows: string[][] = [];
      for (const series of results.fanout.series.filter((s) => s.shape === shape)) {
        rows.push(...rampRows(SERVER_LABELS[series.server], series));
        if (series.error)
          rows.push([
            SERVER_LABELS[series.server],
            '—',
            '—',
            '—',
            '—',
            '—',
            '—',
            '—',
            '—',
            `error: ${series.error}`,
          ]);
      }
      out.push(table(stepHead('server'), rows, STEP_TEXT), '');
      const phases = results.fanout.series.flatMap((s) =>
        s.shape === shape && s.cpu ? [[SERVER_LABELS[s.server], s.cpu] as const] : [],
      );
      if (phases.length) out.push(cpuTable(phases), '');
    }
  }

  if (results.connections) {
    const c = results.connections;
    out.push('## 2. Connections', '');
    out.push(
      `${int(c.sockets)} idle authenticated sockets (hirechat: one user each, signed JWT; the references take anyone) in rooms of ${c.roomSize}, ` +
        `opened from ${c.loadProcesses - 1} processes with ${c.concurrency} handshakes in flight; then one message to every room.` +
        (c.cappedBy ? ` ${int(c.requested)} were asked for; capped by ${c.cappedBy}.` : ''),
    );
    out.push('');
    out.push(
      table(
        [
          'server',
          'open',
          'failed',
          'seconds',
          'handshakes/s',
          'RSS before (MiB)',
          'RSS after (MiB)',
          'RSS per socket (KiB)',
          'got the last event',
          'still open',
          'CPU per handshake (µs)',
          'CPU per event of the last message (µs)',
        ],
        c.runs.map((r) => [
          SERVER_LABELS[r.server],
          int(r.opened),
          r.failed ? `${int(r.failed)} (${r.firstError})` : '0',
          r.seconds.toFixed(1),
          int(r.handshakesPerSec),
          (r.rssBeforeBytes / 1024 ** 2).toFixed(0),
          (r.rssAfterBytes / 1024 ** 2).toFixed(0),
          (r.rssPerSocketBytes / 1024).toFixed(1),
          int(r.socketsWithEvent),
          int(r.socketsOpen),
          num(r.cpuPerHandshakeUs, 'µs'),
          num(r.cpuPerEventUs, 'µs'),
        ]),
      ),
      '',
    );
  }

  if (results.rest) {
    const r = results.rest;
    out.push('## 3. REST (hirechat alone: the references have no REST)', '');
    out.push(
      `autocannon, ${r.connections} connections, ${options.rest.seconds} s per request. ${int(r.seededMessages)} messages seeded ` +
        `straight into SQLite in ${r.seedSeconds.toFixed(1)} s before the server started.`,
    );
    out.push('');
    out.push(
      table(
        [
          'request',
          'req/s (2xx)',
          'p50 (ms)',
          'p99 (ms)',
          'max (ms)',
          'non-2xx',
          'errors',
          'CPU per request (µs)',
        ],
        r.runs.map((run) => [
          run.name,
          int(run.okPerSec),
          num(run.latency.p50, 'ms'),
          num(run.latency.p99, 'ms'),
          num(run.latency.max, 'ms'),
          int(run.non2xx),
          int(run.errors),
          num(run.cpuPerRequestUs, 'µs'),
        ]),
      ),
    );
    out.push('');
    if (r.listGrowth !== null) {
      out.push(
        `The newest page of the ${int(r.bigRoom)}-message room takes ${r.listGrowth.toFixed(2)}× the time (p50) of the ${int(r.smallRoom)}-message room's.`,
        '',
      );
    }
  }

  if (results.scaleOut) {
    const s = results.scaleOut;
    out.push('## 4. Scale-out', '');
    if (!s.ran) {
      out.push(`Skipped: ${s.reason}`, '');
    } else {
      out.push(
        `Shape ${s.shape} over PostgreSQL (${s.databaseUrl}) and Redis (${s.redisUrl}); the writer posts to process A. ` +
          `Highest rate held: ${s.single.maxRate ?? '—'} msg/s on one process, ${s.split.maxRate ?? '—'} msg/s with the sockets over two.`,
        '',
      );
      out.push(
        table(
          stepHead('sockets on'),
          [...rampRows('one process', s.single), ...rampRows('two processes', s.split)],
          STEP_TEXT,
        ),
        '',
      );
      const phases = [
        ['one process', s.single.cpu],
        ['two processes', s.split.cpu],
      ] as const;
      const measured = phases.flatMap(([label, phase]) => (phase ? [[label, phase] as const] : []));
      if (measured.length) {
        out.push(
          cpuTable(measured, 'sockets on'),
          '',
          "CPU is both processes' together; PostgreSQL's and Redis's own is not counted.",
          '',
        );
      }
    }
  }
  if (results.inbox) out.push(...inboxSection(results.inbox, options.p99LimitMs));
  return `${out.join('\n').trimEnd()}\n`;
}

/** A CPU phase per server: the medians, and every run for whoever wants to check them. */
function cpuTable(phases: ReadonlyArray<readonly [string, CpuPhase]>, first = 'server'): string {
  const rate = phases[0]?.[1].rate;
  const seconds = ((phases[0]?.[1].stepMs ?? 0) / 1000).toFixed(1);
  return [
    `Server CPU time (user + system) at a fixed ${rate} msg/s, median of runs of ${seconds} s:`,
    '',
    table(
      [
        first,
        'CPU per message (µs)',
        'CPU per delivered event (µs)',
        'runs: CPU per message (µs)',
        'user share',
      ],
      phases.map(([label, phase]) => [
        label,
        num(phase.perMessageUs, 'µs'),
        num(phase.perEventUs, 'µs'),
        phase.runs.map((run) => runText(run)).join(', '),
        userShare(phase),
      ]),
      [0, 3],
    ),
  ].join('\n');
}

/** A run's CPU per message, and what it lacked when it is not counted. */
function runText(run: CpuRun): string {
  const lacks = [
    ...(run.messages < run.planned ? [`${int(run.messages)} of ${int(run.planned)} messages through`] : []),
    ...(run.events < run.expected ? [`${int(run.expected - run.events)} events missing`] : []),
  ];
  return `${num(run.perMessageUs, 'µs')}${lacks.length ? ` (not counted: ${lacks.join(', ')})` : ''}`;
}

function userShare(phase: CpuPhase): string {
  const user = phase.runs.reduce((sum, run) => sum + run.userMs, 0);
  const all = phase.runs.reduce((sum, run) => sum + run.userMs + run.systemMs, 0);
  return all > 0 ? `${Math.round((user / all) * 100)} %` : '—';
}

/** The CPU scenario: every server's CPU per message in rooms of 3, and hirechat's ratios to the others. */
function cpuSection(cpu: CpuResult): string[] {
  const [rooms, members] = cpu.shape.split('x');
  const of = (kind: string) =>
    cpu.servers.find((server) => server.kind === kind)?.phase?.perMessageUs ?? null;
  const references = [
    ['floor', of('floor')],
    ['bare ws', of('ws')],
    ['Socket.IO', of('socketio')],
  ] as const;
  const ratioTo = (mine: number | null | undefined, theirs: number | null) =>
    mine && theirs ? `${(mine / theirs).toFixed(2)}×` : '—';
  const floor = cpu.servers.find((server) => server.kind === 'floor')?.phase;
  const runByRun = (phase: CpuPhase | null | undefined, theirs: CpuPhase | null | undefined) => {
    const value = phase && theirs ? ratioRunByRun(phase, theirs) : null;
    return value === null ? '—' : `${value.toFixed(2)}×`;
  };
  // Today's hirechat over the baseline's on the same backing (`--cpu-baseline`).
  const baselineOf = (server: CpuResult['servers'][number]) =>
    server.kind === 'hirechat' && server.commit === null
      ? cpu.servers.find((other) => other.commit !== null && other.backing === server.backing)?.phase
      : undefined;
  const out = ['## CPU per message', ''];
  out.push(
    `${rooms} rooms of ${members} sockets, the writer posting ${cpu.rate} msg/s round robin (over REST to hirechat and the floor), ` +
      `every server's sockets open throughout; ${cpu.runs} measured run${cpu.runs === 1 ? '' : 's'} of ${(cpu.stepMs / 1000).toFixed(1)} s per server, ` +
      'every server taking its own load (a writer and a subscriber process) at the same time, run after run' +
      (cpu.warmup?.messages
        ? `, and each server first took ${cpu.warmup.messages.toLocaleString('en-US')} messages at ${cpu.warmup.rate} msg/s unmeasured (the JIT's warm-up). `
        : '. ') +
      "CPU time is the server process's (user + system, " +
      'every thread, from `process.cpuUsage()` in the process); figures are medians of the runs in which every event arrived. ' +
      "PostgreSQL's and Redis's own CPU is not counted; SQLite's is, since it runs in the process. The ratios are of the medians; " +
      "“÷ floor, run by run” is the median of each run's ratio to the floor's run at the same time, which a drifting machine " +
      'load moves less.',
    '',
  );
  out.push(
    table(
      [
        'server',
        'CPU per message (µs)',
        'CPU per delivered event (µs)',
        'runs: CPU per message (µs)',
        'user share',
        ...references.map(([label]) => `÷ ${label}`),
        '÷ floor, run by run',
        ...(cpu.baseline ? ['÷ baseline, run by run'] : []),
      ],
      cpu.servers.map((server) => [
        server.label + (server.error ? ` (error: ${server.error})` : ''),
        num(server.phase?.perMessageUs, 'µs'),
        num(server.phase?.perEventUs, 'µs'),
        server.phase?.runs.map((run) => runText(run)).join(', ') ?? '—',
        server.phase ? userShare(server.phase) : '—',
        ...references.map(([, theirs]) => ratioTo(server.phase?.perMessageUs, theirs)),
        runByRun(server.phase, floor),
        ...(cpu.baseline ? [runByRun(server.phase, baselineOf(server))] : []),
      ]),
      [0, 3],
    ),
  );
  out.push('');
  if (cpu.baseline) {
    out.push(
      `The baseline is the reference server of ${cpu.baseline.commit.slice(0, 7)} (“${cpu.baseline.subject.length > 100 ? `${cpu.baseline.subject.slice(0, 99)}…` : cpu.baseline.subject}”), ` +
        "run beside today's on the same backings; “÷ baseline, run by run” is today's over it" +
        (cpu.baseline.lockChanged
          ? ". Its package-lock.json differs from this checkout's, whose dependencies it ran with."
          : '.'),
      '',
    );
  }
  for (const reason of cpu.skipped) out.push(`- Skipped ${reason}`);
  if (cpu.skipped.length) out.push('');
  return out;
}

function inboxSection(inbox: NonNullable<BenchResults['inbox']>, p99LimitMs: number): string[] {
  const out: string[] = ['## 5. Inbox fan-out (issue 10)', ''];
  const b = inbox.baseline;
  out.push(
    `Message create over REST (autocannon, ${inbox.connections} connections, ${inbox.seconds} s a run, ` +
      `${inbox.rounds} round(s), the two servers taking turns) in rooms of each size, where every message ` +
      'also writes one inbox event per member in its transaction. ' +
      (b.ran
        ? `The reference is the reference server of commit \`${b.commit.slice(0, 7)}\` (“${b.subject.length > 80 ? `${b.subject.slice(0, 79)}…` : b.subject}”), ` +
          'from before the inbox existed, run from this checkout’s git history beside today’s, over SQLite alike' +
          (b.lockChanged
            ? ' (its package-lock.json differs from today’s: it ran on today’s dependencies)'
            : '') +
          '. Figures are medians of the rounds; ratios are today ÷ the reference.'
        : `No reference ran: ${b.reason}. Figures are medians of the rounds.`),
  );
  out.push('');
  const cpu = (value: number | null | undefined) => (value == null ? '—' : value.toFixed(2));
  const times = (value: number | null) => (value === null ? '—' : `${value.toFixed(2)}×`);
  out.push(
    table(
      [
        'members',
        'msg/s today',
        'msg/s before',
        'throughput ratio',
        'CPU ms/msg today',
        'CPU ms/msg before',
        'CPU ratio',
        'p50 / p99 today (ms)',
        'p50 / p99 before (ms)',
      ],
      inbox.create.map((row) => [
        String(row.members),
        int(row.current.okPerSec),
        row.baseline ? int(row.baseline.okPerSec) : '—',
        times(row.throughputRatio),
        cpu(row.current.cpuMsPerMessage),
        cpu(row.baseline?.cpuMsPerMessage),
        times(row.cpuRatio),
        `${num(row.current.p50, 'ms')} / ${num(row.current.p99, 'ms')}`,
        row.baseline ? `${num(row.baseline.p50, 'ms')} / ${num(row.baseline.p99, 'ms')}` : '—',
      ]),
    ),
    '',
  );
  const failed = inbox.runs.filter((run) => run.non2xx + run.errors > 0);
  if (failed.length > 0) {
    out.push(
      `Runs with failed requests: ${failed.map((run) => `${run.server} in a room of ${run.members}, round ${run.round}: ${run.non2xx} non-2xx, ${run.errors} errors`).join('; ')}.`,
      '',
    );
  }
  const { ramp, rooms } = inbox.follow;
  out.push(
    `A recruiter's inbox socket following ${int(rooms)} rooms (one client each) while the recruiter posts into them, ` +
      'round robin, at rising rates: latency from the post to the inbox’s `message_created`. ' +
      `Highest rate with p99 under ${p99LimitMs} ms: ${ramp.maxRate === null ? '—' : `${ramp.limitFound ? '' : '≥ '}${int(ramp.maxRate)} msg/s`}.`,
    '',
  );
  const rows = rampRows('inbox', ramp);
  if (ramp.error) rows.push(['inbox', '—', '—', '—', '—', '—', '—', '—', '—', `error: ${ramp.error}`]);
  out.push(table(stepHead('socket'), rows, STEP_TEXT), '');
  return out;
}
