import type { Machine } from '../machine.js';
import type { BenchOptions } from '../options.js';
import type { ConnectionsResult } from '../scenarios/connections.js';
import type { CpuResult } from '../scenarios/cpu.js';
import type { FanoutResult } from '../scenarios/fanout.js';
import type { InboxResult } from '../scenarios/inbox.js';
import type { RestResult } from '../scenarios/rest.js';
import type { ScaleOutResult } from '../scenarios/scale-out.js';
import type { ServerKind } from '../wire.js';

/** Everything one run found, as written to results.json. */
export interface BenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  profile: BenchOptions['profile'];
  options: Omit<BenchOptions, 'outDir' | 'scaleOut'> & {
    scaleOut: Omit<BenchOptions['scaleOut'], 'databaseUrl' | 'redisUrl'>;
  };
  machine: Machine;
  /** How the processes were laid out, in words. */
  topology: string;
  cpu: CpuResult | null;
  fanout: FanoutResult | null;
  connections: ConnectionsResult | null;
  rest: RestResult | null;
  scaleOut: ScaleOutResult | null;
  /** Issue 10's costs: message create with inbox fan-out, and a recruiter's inbox socket. */
  inbox: InboxResult | null;
  /** The headline figures, per server, with hirechat's ratios to each reference. */
  summary: SummaryRow[];
  goals: Goal[];
  /** Scenarios that failed outright, with why. */
  errors: Array<{ scenario: string; message: string }>;
}

export interface SummaryRow {
  section: string;
  figure: string;
  unit: string;
  /** Whether more is better (throughput) or less (latency, memory). */
  better: 'higher' | 'lower';
  values: Partial<Record<ServerKind, number | null>>;
  /** Servers whose value is only a lower bound (they held every rate tried). */
  atLeast?: ServerKind[];
  /** hirechat ÷ the floor, hirechat ÷ bare ws and hirechat ÷ Socket.IO. */
  ratioToFloor: number | null;
  ratioToWs: number | null;
  ratioToSocketIo: number | null;
}

export interface Goal {
  goal: string;
  status: 'met' | 'not met' | 'not measured';
  figure: string;
}
