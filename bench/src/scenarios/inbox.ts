import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { RestPaths } from '@hirechat/protocol';
import type { HttpLoadRequest, HttpLoadResult } from '../../load/http-load.js';
import { type Baseline, BaselineUnavailable, prepareBaseline } from '../baseline.js';
import { cpuMsBetween } from '../cpu.js';
import { createHirechatRooms, hirechatInboxUrl } from '../hirechat-setup.js';
import type { LatencySummary } from '../histogram.js';
import { forkWorker } from '../rpc.js';
import { type RunningServer, startHirechat } from '../servers.js';
import { ms, type RunContext } from './context.js';
import { LoadPool } from './load-pool.js';
import { type Ramp, runRamp } from './ramp.js';

/** Which reference server ran: this checkout's, or the baseline commit's (no inbox fan-out). */
export type InboxServer = 'current' | 'baseline';

/** One autocannon run of message create in a room of `members`. */
export interface CreateRun {
  server: InboxServer;
  members: number;
  round: number;
  okPerSec: number;
  latency: LatencySummary;
  /** The server process's CPU time per message created, in ms; null when none got through. */
  cpuMsPerMessage: number | null;
  non2xx: number;
  errors: number;
}

/** The medians of one server's runs in rooms of one size. */
export interface CreateMedians {
  okPerSec: number;
  p50: number;
  p99: number;
  cpuMsPerMessage: number | null;
}

export interface CreateCost {
  members: number;
  current: CreateMedians;
  baseline: CreateMedians | null;
  /** Current ÷ baseline, of the medians: below 1, inbox fan-out costs throughput. */
  throughputRatio: number | null;
  /** Current ÷ baseline: above 1, each message costs the server more CPU. */
  cpuRatio: number | null;
}

export type BaselineInfo =
  | { ran: true; rev: string; commit: string; subject: string; lockChanged: boolean }
  | { ran: false; reason: string };

export interface InboxResult {
  baseline: BaselineInfo;
  connections: number;
  seconds: number;
  rounds: number;
  runs: CreateRun[];
  create: CreateCost[];
  /** The recruiter's inbox socket following `rooms` rooms while messages flow at rising rates. */
  follow: { rooms: number; ramp: Ramp };
}

/**
 * Scenario 5, issue 10's costs. (a) Message create over REST in rooms of 2, 10 and 200 members,
 * where every message writes one inbox event per member in its transaction: throughput, latency
 * and the server's CPU time per message, against the reference server of the commit before the
 * inbox existed (see baseline.ts), in the same run, the two taking turns. (b) A recruiter's inbox
 * socket following 500 rooms while a writer posts into them, round robin, at the fan-out
 * scenarios' rates: delivery latency to the inbox. Both over SQLite, as the REST scenario.
 */
export async function runInbox(context: RunContext): Promise<InboxResult> {
  const { options, log } = context;
  const settings = options.inbox;
  let baseline: Baseline | null = null;
  let baselineInfo: BaselineInfo;
  try {
    baseline = await prepareBaseline(settings.baseline, context.scratchDir);
    baselineInfo = {
      ran: true,
      rev: baseline.rev,
      commit: baseline.commit,
      subject: baseline.subject,
      lockChanged: baseline.lockChanged,
    };
  } catch (error) {
    if (!(error instanceof BaselineUnavailable)) throw error;
    baselineInfo = { ran: false, reason: error.message };
    log(`inbox: no baseline (${error.message}); today's figures only`);
  }

  const servers: Array<{ which: InboxServer; server: RunningServer }> = [];
  const load = forkWorker('http-load');
  try {
    const start = async (which: InboxServer, sourceRoot?: string) => {
      const server = await startHirechat({
        label: which === 'current' ? 'hirechat' : `hirechat at ${baseline?.commit.slice(0, 7)}`,
        dataDir: await mkdtemp(path.join(context.scratchDir, `inbox-${which}-`)),
        jwtSecret: context.jwtSecret,
        // Both without the demo app, which the baseline may not know how to find here.
        env: { DEMO_WEB: 'off' },
        ...(sourceRoot ? { sourceRoot } : {}),
        ...(context.profileDir ? { cpuProfileDir: context.profileDir } : {}),
      });
      servers.push({ which, server });
      return server;
    };
    const current = await start('current');
    if (baseline) await start('baseline', baseline.root);
    await load.call('ping', undefined, 60_000);

    // One room of each size on each server, posted into by its recruiter.
    const targets = new Map<RunningServer, Map<number, Omit<HttpLoadRequest, 'seconds' | 'connections'>>>();
    for (const { server } of servers) {
      const made = await createHirechatRooms(
        server.baseUrl,
        context.jwtSecret,
        settings.roomSizes.map((members) => members - 1),
      );
      const bySize = new Map<number, Omit<HttpLoadRequest, 'seconds' | 'connections'>>();
      settings.roomSizes.forEach((members, i) => {
        bySize.set(members, {
          url: `${server.baseUrl}${RestPaths.createMessage}`,
          method: 'POST',
          headers: { authorization: `Bearer ${made.writerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ chat_room: made.rooms[i]?.uuid, content: 'hello from autocannon' }),
        });
      });
      targets.set(server, bySize);
    }

    const runs: CreateRun[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      for (const members of settings.roomSizes) {
        // Turns alternate, so that neither server always runs on a machine the other just warmed.
        const order = round % 2 === 1 ? servers : [...servers].reverse();
        for (const { which, server } of order) {
          const request = targets.get(server)?.get(members);
          if (!request) throw new Error(`no room of ${members} on ${server.label}`);
          if (round === 1 && settings.warmupSeconds > 0) {
            await load.call('run', {
              ...request,
              seconds: settings.warmupSeconds,
              connections: settings.connections,
            });
          }
          const cpuBefore = await server.cpuTime();
          const result = await load.call<HttpLoadResult>(
            'run',
            { ...request, seconds: settings.seconds, connections: settings.connections },
            settings.seconds * 1000 + 60_000,
          );
          const cpuAfter = await server.cpuTime();
          const cpuMsPerMessage = result.ok > 0 ? cpuMsBetween(cpuBefore, cpuAfter) / result.ok : null;
          runs.push({
            server: which,
            members,
            round,
            okPerSec: result.okPerSec,
            latency: result.latency,
            cpuMsPerMessage,
            non2xx: result.non2xx,
            errors: result.errors,
          });
          log(
            `inbox: create in a room of ${members} on ${server.label} (round ${round}): ${Math.round(result.okPerSec)} msg/s, ` +
              `p50 ${ms(result.latency.p50)} ms, p99 ${ms(result.latency.p99)} ms` +
              (cpuMsPerMessage === null ? '' : `, ${cpuMsPerMessage.toFixed(2)} ms CPU per message`) +
              (result.non2xx + result.errors > 0
                ? `, ${result.non2xx} non-2xx, ${result.errors} errors`
                : ''),
          );
        }
      }
    }
    const follow = await followInbox(context, current);
    return {
      baseline: baselineInfo,
      connections: settings.connections,
      seconds: settings.seconds,
      rounds: settings.rounds,
      runs,
      create: settings.roomSizes.map((members) => costOf(runs, members)),
      follow,
    };
  } finally {
    await load.stop();
    await Promise.all(servers.map(({ server }) => server.stop()));
  }
}

/** A recruiter with `followRooms` rooms of one client each, their inbox socket, and a ramp of posts. */
async function followInbox(context: RunContext, server: RunningServer): Promise<InboxResult['follow']> {
  const { options, log } = context;
  const rooms = options.inbox.followRooms;
  log(`inbox: a recruiter's inbox following ${rooms} rooms, on ${server.label}`);
  const made = await createHirechatRooms(server.baseUrl, context.jwtSecret, new Array<number>(rooms).fill(1));
  const pool = await LoadPool.start(1);
  try {
    const ramp = await runRamp(
      pool,
      {
        // The recruiter posts into every room in turn; their inbox hears of each message once.
        writer: {
          kind: 'rest',
          baseUrl: server.baseUrl,
          token: made.writerToken,
          rooms: made.rooms.map((room) => room.uuid),
        },
        sockets: [{ kind: 'hirechat', url: hirechatInboxUrl(server.baseUrl, made.writerToken) }],
        members: new Array<number>(rooms).fill(1),
      },
      {
        rates: options.fanout.rates,
        stepMs: options.fanout.stepMs,
        warmupMs: options.fanout.warmupMs,
        drainTimeoutMs: options.fanout.drainTimeoutMs,
        p99LimitMs: options.p99LimitMs,
        connectConcurrency: 1,
        connectTimeoutMs: 30_000,
        refineSteps: options.fanout.refineSteps,
        confirmBreaks: options.fanout.confirmBreaks,
      },
    );
    for (const step of ramp.steps) {
      log(
        `  ${String(step.rate).padStart(6)} msg/s  p50 ${ms(step.latency.p50).padStart(6)} ms  p99 ${ms(step.latency.p99).padStart(6)} ms  ` +
          `${step.held ? 'held' : `broke: ${step.broke}`}`,
      );
    }
    if (ramp.error) log(`  error: ${ramp.error}`);
    return { rooms, ramp };
  } finally {
    await pool.stop();
  }
}

function costOf(runs: CreateRun[], members: number): CreateCost {
  const of = (server: InboxServer) => runs.filter((run) => run.server === server && run.members === members);
  const current = medians(of('current'));
  const baseline = of('baseline').length > 0 ? medians(of('baseline')) : null;
  const ratio = (mine: number | null | undefined, theirs: number | null | undefined) =>
    mine != null && theirs != null && theirs > 0 ? mine / theirs : null;
  return {
    members,
    current,
    baseline,
    throughputRatio: ratio(current.okPerSec, baseline?.okPerSec),
    cpuRatio: ratio(current.cpuMsPerMessage, baseline?.cpuMsPerMessage),
  };
}

function medians(runs: CreateRun[]): CreateMedians {
  const cpu = runs.flatMap((run) => (run.cpuMsPerMessage === null ? [] : [run.cpuMsPerMessage]));
  return {
    okPerSec: median(runs.map((run) => run.okPerSec)),
    p50: median(runs.map((run) => run.latency.p50)),
    p99: median(runs.map((run) => run.latency.p99)),
    cpuMsPerMessage: cpu.length === runs.length && cpu.length > 0 ? median(cpu) : null,
  };
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
