import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@hirechat/server-kit/testing';
import { sleep } from './clock.js';
import { type CpuTime, cpuProbe } from './cpu.js';
import { TS_EXEC_ARGV } from './rpc.js';
import { SERVER_LABELS, type ServerKind } from './wire.js';

/*
 * The servers under test, each in its own process: hirechat as the real reference server (from its
 * sources, configured through its environment like any deployment), and the floor and the two
 * references of bench/servers/. Nothing is pinned to a core. Every one of them loads the CPU probe
 * (cpu-probe.ts) first, so that the bench can ask any of them how much CPU time it has used.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The reference server's entry, under a checkout's root. */
const REFERENCE_SERVER = 'apps/reference-server/src/main.ts';
const CPU_PROBE = fileURLToPath(new URL('./cpu-probe.ts', import.meta.url));
/** How a server under test starts: TypeScript through tsx, then the probe, then its own code. */
const SERVER_EXEC_ARGV = [...TS_EXEC_ARGV, '--import', CPU_PROBE];
/** stdout and stderr captured, and the IPC channel the probe answers on. */
const SERVER_STDIO: ['ignore', 'pipe', 'pipe', 'ipc'] = ['ignore', 'pipe', 'pipe', 'ipc'];

export interface RunningServer {
  kind: ServerKind;
  /** What the report calls it ("hirechat", "hirechat B", "bare ws"...). */
  label: string;
  pid: number;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** hirechat's DATA_DIR. */
  dataDir?: string;
  /** Resident memory of the server process now. */
  rssBytes(): Promise<number>;
  /** CPU time the server process has used so far (every thread), from its probe. */
  cpuTime(): Promise<CpuTime>;
  /** Stops it gracefully (SIGTERM), and for good after 15 s. */
  stop(): Promise<void>;
}

/** The server refused to start; `output` is what it printed (a configuration error, say). */
export class ServerRefused extends Error {
  constructor(
    readonly label: string,
    readonly output: string,
  ) {
    super(`${label} did not start:\n${output.trim()}`);
  }
}

const running = new Set<ChildProcess>();

/** Kills whatever is still running (used when the run is interrupted). */
export function killAllServers(): void {
  for (const child of running) child.kill('SIGKILL');
}

export interface HirechatProcessOptions {
  dataDir: string;
  jwtSecret: string;
  label?: string;
  /** Extra environment (DATABASE_URL and REDIS_URL for scale-out). */
  env?: Record<string, string>;
  /** Writes a V8 CPU profile of the server into this folder when it stops (`node --cpu-prof`). */
  cpuProfileDir?: string;
  /** The checkout whose reference server runs (see baseline.ts). Default: this one. */
  sourceRoot?: string;
}

export async function startHirechat(options: HirechatProcessOptions): Promise<RunningServer> {
  const port = await freePort();
  const label = options.label ?? SERVER_LABELS.hirechat;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Storage and broadcast come from the options alone, never from the shell that ran the bench.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    JWT_SECRET: options.jwtSecret,
    // One JSON line per request and per socket would cost more than some of what is measured.
    LOG_LEVEL: 'warn',
    // The writer is one user posting thousands of messages a second, far past any person's rate
    // limit: the bench measures the server's throughput, not its limits (tools/slow-consumers.ts
    // measures the one limit that is about memory, with its own settings).
    RATE_LIMITS: 'off',
    ...options.env,
  });
  const root = options.sourceRoot ?? ROOT;
  const child = spawn(
    process.execPath,
    [...nodeFlags(options.cpuProfileDir), ...SERVER_EXEC_ARGV, path.join(root, REFERENCE_SERVER)],
    // tsx reads the checkout's tsconfig.json, and `--import tsx` resolves from here.
    { cwd: root, env, stdio: SERVER_STDIO },
  );
  const output = capture(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  // LOG_LEVEL=warn hides the "listening on" line, so readiness is the health check answering.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new ServerRefused(label, output.text());
    if (await healthy(baseUrl)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new ServerRefused(label, `${output.text()}\n(no answer from /healthz within 60 s)`);
    }
    await sleep(100);
  }
  return {
    ...handle('hirechat', label, child, baseUrl),
    dataDir: options.dataDir,
  };
}

/** What any server under test is started with. */
export interface ServerOptions {
  /** hirechat's DATA_DIR, and the floor's. */
  dataDir: string;
  /** The HS256 secret hirechat and the floor verify tokens with. */
  jwtSecret: string;
  /** Writes a V8 CPU profile of hirechat or the floor into this folder when it stops. */
  cpuProfileDir?: string;
}

/** Starts a server of the given kind: hirechat over SQLite, the floor, or a reference. */
export function startServer(kind: ServerKind, options: ServerOptions): Promise<RunningServer> {
  if (kind === 'hirechat') return startHirechat(options);
  if (kind === 'floor') {
    return startBenchServer(
      kind,
      { DATA_DIR: options.dataDir, JWT_SECRET: options.jwtSecret },
      options.cpuProfileDir,
    );
  }
  return startBenchServer(kind);
}

const SCRIPTS: Record<Exclude<ServerKind, 'hirechat'>, string> = {
  floor: 'floor.ts',
  ws: 'bare-ws.ts',
  socketio: 'socketio.ts',
};

/**
 * Starts one of bench/servers/: they print `listening on <url>` when ready. `env` is what the
 * server needs besides (the floor's DATA_DIR and JWT_SECRET).
 */
async function startBenchServer(
  kind: Exclude<ServerKind, 'hirechat'>,
  env: Record<string, string> = {},
  cpuProfileDir?: string,
): Promise<RunningServer> {
  const script = fileURLToPath(new URL(`../servers/${SCRIPTS[kind]}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeFlags(cpuProfileDir), ...SERVER_EXEC_ARGV, script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: SERVER_STDIO,
  });
  const output = capture(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(output.text());
    if (match?.[1]) return handle(kind, SERVER_LABELS[kind], child, match[1]);
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new ServerRefused(SERVER_LABELS[kind], output.text());
    }
    await sleep(50);
  }
}

function handle(kind: ServerKind, label: string, child: ChildProcess, baseUrl: string): RunningServer {
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  void exited.then(() => running.delete(child));
  const pid = child.pid ?? -1;
  return {
    kind,
    label,
    pid,
    baseUrl,
    rssBytes: () => rssOf(pid),
    cpuTime: cpuProbe(child, label),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `node --cpu-prof` into the folder, when there is one, and the run's `--node-flags`. */
const nodeFlags = (dir: string | undefined) => [
  ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
  ...extraNodeFlags,
];

let extraNodeFlags: readonly string[] = [];

/**
 * Node and V8 flags every hirechat and floor process of this run starts with (`--node-flags`), to
 * look into a server as it runs: V8's log of optimisations and deoptimisations, say. Set once,
 * before the first server starts.
 */
export function setServerNodeFlags(flags: readonly string[]): void {
  extraNodeFlags = flags;
}

/** Keeps what the process prints (its last 64 KiB), for error messages. */
function capture(child: ChildProcess): { text(): string } {
  let text = '';
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { text: () => text };
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Resident set size of a process: /proc on Linux, `ps` elsewhere. */
export async function rssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {}
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'rss=', '-p', String(pid)], (error, stdout) => {
      resolve(error ? 0 : Number(stdout.trim()) * 1024);
    });
  });
}
