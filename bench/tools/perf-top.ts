import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { CpuRun } from '../src/scenarios/cpu-phase.js';
import { cpuRunsOf } from './cpu-runs.js';

/*
 * Prints where each server process of a bench run spent its CPU during the fixed-rate CPU runs, per
 * message, from Linux `perf` samples: on CPU only, kernel included.
 *
 *   perf record -a -g -k CLOCK_MONOTONIC -F 999 -o /tmp/cpu.perf -- \
 *     npm run bench -- --only cpu --servers hirechat,floor --out /tmp/cpu
 *   perf script -i /tmp/cpu.perf -F pid,tid,time,period,ip,sym,dso \
 *     | node --import tsx bench/tools/perf-top.ts --results /tmp/cpu/results.json
 *
 * profile-top.ts reads V8's profile, which samples the main thread's wall time: while the thread
 * is switched out, the time is charged to the frame it was in. A socket write wakes its reader,
 * which on a busy machine often takes the writer's core as the write returns, so V8 charges the
 * wait to `writev`. perf's cpu-clock samples a thread only while it runs, and sees the kernel:
 * its totals match the bench's CPU per message (`process.cpuUsage()`), and its syscall figures are
 * what the writes cost. JavaScript frames are not named here (that needs `--perf-basic-prof`, whose
 * map goes stale as V8 moves code); read them in profile-top's shares.
 */

const { values } = parseArgs({ options: { results: { type: 'string' } } });
if (!values.results) {
  console.error('usage: perf script -F pid,tid,time,period,ip,sym,dso | perf-top.ts --results results.json');
  process.exit(2);
}

/** A sample of one thread: when (ns, CLOCK_MONOTONIC), how long it stands for (ns), its stack, leaf first. */
interface Sample {
  pid: number;
  tid: number;
  atNs: number;
  periodNs: number;
  frames: Array<{ symbol: string; kernel: boolean }>;
}

/** On-CPU nanoseconds of one process within its CPU runs, by where they went. */
class Tally {
  readonly ns = new Map<string, number>();
  add(key: string, ns: number): void {
    this.ns.set(key, (this.ns.get(key) ?? 0) + ns);
  }
  get(key: string): number {
    return this.ns.get(key) ?? 0;
  }
}

const runsByPid = new Map<number, { label: string; runs: CpuRun[] }>();
for (const run of cpuRunsOf(values.results)) {
  for (const { pid, label } of run.processes) {
    const entry = runsByPid.get(pid) ?? { label, runs: [] };
    entry.runs.push(run);
    runsByPid.set(pid, entry);
  }
}
const tallies = new Map<number, Tally>();
/** The same, run by run: the key is the run's index in runsByPid's list of the process. */
const runTallies = new Map<number, Tally[]>();

/** The syscall a kernel stack is in: the frame `do_syscall_64` called, without its prefixes. */
function syscallOf(symbols: string[]): string {
  const entry = symbols.indexOf('do_syscall_64');
  if (entry < 0) return '(not in a syscall: interrupts, page faults)';
  const called = entry > 0 ? symbols[entry - 1] : undefined;
  if (!called) return '(syscall entry)';
  if (/exit_to_user_mode|^schedule$|^__schedule$/.test(called))
    return '(syscall exit: rescheduling, signals)';
  return called.replace(/^(__x64_sys_|__do_sys_|ksys_|do_)/, '').replace(/\.(isra|part|constprop)\.\d+$/, '');
}

/** What a V8 platform thread's sample was doing: optimising code, collecting garbage, or else. */
function helperWorkOf(symbols: string[]): string {
  if (symbols.some((symbol) => /v8::internal::(compiler|maglev)::|OptimizingCompile|Compile/.test(symbol)))
    return 'compiling (TurboFan, Maglev)';
  if (symbols.some((symbol) => /Scaveng|Mark|Sweep|Heap|Evacuat|Unmapper|GC/.test(symbol)))
    return 'garbage collection';
  return 'other (idle waits, libuv, kernel)';
}

function count(sample: Sample): void {
  const entry = runsByPid.get(sample.pid);
  const atMs = sample.atNs / 1e6;
  const runIndex = entry?.runs.findIndex((run) => atMs >= run.startedAtMs && atMs <= run.endedAtMs) ?? -1;
  if (!entry || runIndex < 0) return;
  let tally = tallies.get(sample.pid);
  if (!tally) {
    tally = new Tally();
    tallies.set(sample.pid, tally);
  }
  const perRun = runTallies.get(sample.pid) ?? entry.runs.map(() => new Tally());
  runTallies.set(sample.pid, perRun);
  const ns = sample.periodNs;
  const symbols = sample.frames.map((frame) => frame.symbol);
  const thread = sample.tid === sample.pid ? 'main thread' : 'other threads';
  const helperWork = sample.tid === sample.pid ? null : `helper ${helperWorkOf(symbols)}`;
  for (const each of [tally, perRun[runIndex]!]) {
    each.add('on CPU', ns);
    each.add(thread, ns);
    if (helperWork) each.add(helperWork, ns);
  }
  // node's native write (StreamBase::Writev / WriteBuffer / WriteString): every socket write.
  if (symbols.some((symbol) => symbol.includes('StreamBase::Write'))) tally.add('socket writes', ns);
  if (!sample.frames[0]?.kernel) {
    tally.add('user', ns);
    return;
  }
  tally.add('kernel', ns);
  const syscall = syscallOf(symbols);
  tally.add(`syscall ${syscall}`, ns);
  // Over loopback the reader's half of TCP runs in the writer's syscall (softirq on the way out).
  if (/^(writev|write|sendmsg|sendto)$/.test(syscall) && symbols.includes('tcp_v4_rcv'))
    tally.add('loopback delivery', ns);
}

const header = /^\s*(\d+)\/(\d+)\s+([\d.]+):\s+(\d+)\s*$/;
const frameLine = /^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)$/;
let current: Sample | null = null;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
  const head = header.exec(line);
  if (head) {
    if (current) count(current);
    current = {
      pid: Number(head[1]),
      tid: Number(head[2]),
      atNs: Number(head[3]) * 1e9,
      periodNs: Number(head[4]),
      frames: [],
    };
    continue;
  }
  const frame = frameLine.exec(line);
  if (current && frame?.[1] !== undefined) {
    current.frames.push({
      symbol: frame[1].replace(/\+0x[0-9a-f]+$/, ''),
      kernel: frame[2] === '[kernel.kallsyms]',
    });
  }
}
if (current) count(current);

if (tallies.size === 0) {
  console.error(
    'No sample fell in a CPU run of the results: record with -k CLOCK_MONOTONIC (the bench clock), ' +
      'and print with -F pid,tid,time,period,ip,sym,dso.',
  );
  process.exit(1);
}
for (const [pid, tally] of tallies) {
  const entry = runsByPid.get(pid);
  if (!entry) continue;
  const messages = entry.runs.reduce((sum, run) => sum + run.messages, 0);
  const perMessage = (key: string) => (tally.get(key) / 1000 / messages).toFixed(0).padStart(6);
  console.log(
    `\n${entry.label}, pid ${pid}: ${entry.runs.length} CPU runs, ${messages} messages (µs a message)`,
  );
  console.log(
    `${perMessage('on CPU')}  on CPU (main thread ${perMessage('main thread').trim()}, other threads ${perMessage('other threads').trim()})`,
  );
  console.log('  other threads, by work:');
  const helpers = [...tally.ns].filter(([key]) => key.startsWith('helper ')).sort((a, b) => b[1] - a[1]);
  for (const [key] of helpers) console.log(`${perMessage(key)}    ${key.slice('helper '.length)}`);
  console.log(`${perMessage('user')}  user`);
  console.log(`${perMessage('kernel')}  kernel`);
  console.log(`${perMessage('socket writes')}  socket writes: node's native write, user and kernel`);
  console.log(
    `${perMessage('loopback delivery')}    of which the reader's side of loopback TCP (tcp_v4_rcv)`,
  );
  console.log('  run by run (µs a message): on CPU = main thread + compiling + GC + other threads');
  for (const [i, run] of entry.runs.entries()) {
    const runTally = runTallies.get(pid)?.[i];
    if (!runTally || run.messages === 0) continue;
    const us = (key: string) => (runTally.get(key) / 1000 / run.messages).toFixed(0);
    console.log(
      `    ${us('on CPU')} = ${us('main thread')} + ${us('helper compiling (TurboFan, Maglev)')} + ` +
        `${us('helper garbage collection')} + ${us('helper other (idle waits, libuv, kernel)')}`,
    );
  }
  console.log('  kernel, by syscall:');
  const syscalls = [...tally.ns].filter(([key]) => key.startsWith('syscall ')).sort((a, b) => b[1] - a[1]);
  for (const [key] of syscalls.slice(0, 12))
    console.log(`${perMessage(key)}    ${key.slice('syscall '.length)}`);
}
