import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CpuRun } from '../src/scenarios/cpu-phase.js';
import { cpuRunsOf } from './cpu-runs.js';

/*
 * Prints where a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --cpu-prof`) spent its
 * time: self and inclusive time by function, and by package or source folder.
 *
 *   node --import tsx bench/tools/profile-top.ts <file.cpuprofile> [--rows 30] [--results <results.json>]
 *
 * With --results, only the samples taken during that run's fixed-rate CPU runs of this process
 * (found by the pid in the profile's file name) count, and each figure is also given per message:
 * the profile of the message path without start-up, room set-up and socket handshakes.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rows: { type: 'string' }, results: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: profile-top.ts <file.cpuprofile> [--rows N] [--results results.json]');
  process.exit(2);
}
const rows = Number(values.rows ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const windows = values.results ? runsOf(values.results, pidOf(file)) : null;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/**
 * Sampled µs per node, within the windows when there are some. The event loop waiting is `(idle)`,
 * left out: what remains is the main thread's busy time (on a machine whose cores are shared, the
 * time it waited for one while busy counts too, so shares matter more than the absolute figures).
 */
const selfUs = new Map<number, number>();
let idleUs = 0;
let at = profile.startTime;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  at += delta;
  // Sample times and the bench's clock are both CLOCK_MONOTONIC, in µs and ms.
  if (windows && !windows.some((run) => at >= run.startedAtMs * 1000 && at <= run.endedAtMs * 1000)) return;
  if (byId.get(id)?.callFrame.functionName === '(idle)') idleUs += delta;
  else selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
});
const total = [...selfUs.values()].reduce((sum, value) => sum + value, 0);

/** Where a frame's code lives: a package under node_modules, a folder of ours, or V8/Node itself. */
function origin(url: string): string {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  const ours = /\/(packages|apps)\/([^/]+)\/src\/(.*)$/.exec(url);
  if (ours) return `${ours[2]}/${path.dirname(ours[3] ?? '')}`;
  return url;
}

function functionKey(node: ProfileNode): string {
  const frame = node.callFrame;
  const where = frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'} ${where}`.trim();
}

const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
const selfByFunction = new Map<string, number>();
const selfByOrigin = new Map<string, number>();
const totalByFunction = new Map<string, number>();
const totalByOrigin = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  add(selfByFunction, functionKey(node), us);
  add(selfByOrigin, origin(node.callFrame.url), us);
  // Inclusive: each function and origin on the stack once, however often it recurs there.
  const functions = new Set<string>();
  const origins = new Set<string>();
  for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
    const frame = byId.get(cursor);
    if (!frame || frame.callFrame.functionName === '(root)') continue;
    functions.add(functionKey(frame));
    origins.add(origin(frame.callFrame.url));
  }
  for (const key of functions) add(totalByFunction, key, us);
  for (const key of origins) add(totalByOrigin, key, us);
}

const messages = windows?.reduce((sum, run) => sum + run.messages, 0) ?? 0;
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    const perMessage = messages > 0 ? `${(us / messages).toFixed(1).padStart(7)} µs/msg  ` : '';
    console.log(
      `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${perMessage}${key}`,
    );
  }
};
console.log(`${file}: main thread busy ${(total / 1e6).toFixed(2)} s, idle ${(idleUs / 1e6).toFixed(2)} s`);
if (windows) {
  console.log(
    `cut to ${windows.length} CPU runs of this process (${messages} messages): ` +
      `${messages > 0 ? (total / messages).toFixed(1) : '—'} µs busy per message`,
  );
}
print('self time by function', selfByFunction);
print('inclusive time by function', totalByFunction);
print('self time by package or folder', selfByOrigin);
print('inclusive time by package or folder', totalByOrigin);

/** `CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile`, as node --cpu-prof names its files. */
function pidOf(name: string): number {
  const pid = Number(path.basename(name).split('.')[3]);
  if (!Number.isInteger(pid))
    throw new Error(`${name}: no pid in the file name (CPU.<date>.<time>.<pid>....)`);
  return pid;
}

/** Every fixed-rate CPU run of the run's results that measured the process `pid`. */
function runsOf(resultsFile: string, pid: number): CpuRun[] {
  const mine = cpuRunsOf(resultsFile).filter((run) => run.processes.some((process) => process.pid === pid));
  if (mine.length === 0) throw new Error(`${resultsFile} has no CPU run of process ${pid}`);
  return mine;
}
