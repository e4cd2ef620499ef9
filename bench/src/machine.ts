import os from 'node:os';
import { openFileLimit } from './limits.js';

/** What the numbers were measured on. They compare servers within one run, not across machines. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  platform: string;
  release: string;
  arch: string;
  node: string;
  /** 1, 5 and 15 minute load averages just before the run, and just after. */
  loadBefore: number[];
  loadAfter: number[] | null;
  openFiles: { soft: number; hard: number } | null;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    node: process.version,
    loadBefore: os.loadavg(),
    loadAfter: null,
    openFiles: openFileLimit(),
  };
}

export const loadText = (load: number[]) => load.map((value) => value.toFixed(2)).join(', ');

export function machineMarkdown(machine: Machine, loadProcesses: string): string {
  const gib = (machine.memoryBytes / 1024 ** 3).toFixed(1);
  return [
    '# Machine',
    '',
    `- CPU: ${machine.cpus} × ${machine.cpuModel}`,
    `- Memory: ${gib} GiB`,
    `- OS: ${machine.platform} ${machine.release} (${machine.arch})`,
    `- Node: ${machine.node}`,
    `- Open files per process: ${machine.openFiles ? `soft ${machine.openFiles.soft}, hard ${machine.openFiles.hard}` : 'unknown'}`,
    `- Load average (1, 5, 15 min) before the run: ${loadText(machine.loadBefore)}; after: ${machine.loadAfter ? loadText(machine.loadAfter) : '—'}`,
    '',
    '## Who had which cores',
    '',
    `Nothing is pinned: every process shares all ${machine.cpus} cores, and the operating system`,
    'schedules them. Each server under test is one Node process (one JavaScript thread, plus libuv',
    `and V8 helper threads). ${loadProcesses} The orchestrator only steers (it sends no load).`,
    '',
    'The load generator and the server compete for the same cores, the same way for all three',
    'servers, so the figures compare the servers within this run; they are not absolute capacities.',
    '',
  ].join('\n');
}
