import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BASELINE } from './baseline.js';
import { SERVER_KINDS, type ServerKind } from './wire.js';

export const SCENARIOS = ['cpu', 'fanout', 'connections', 'rest', 'scale-out', 'inbox'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Shape {
  rooms: number;
  members: number;
}

export interface BenchOptions {
  profile: 'quick' | 'default' | 'full';
  scenarios: Scenario[];
  servers: ServerKind[];
  /** Folder of this run's results. */
  outDir: string;
  /** Writes a CPU profile of each hirechat server process into the results folder. */
  cpuProfile: boolean;
  /** Flags every hirechat and floor process starts with (`--node-flags`, split at spaces). */
  nodeFlags: string[];
  p99LimitMs: number;
  cpu: {
    /** Messages per second of every fixed-rate CPU phase; undefined: by room size (see cpuRate). */
    rate: number | undefined;
    /** Length of each measured run. */
    stepMs: number;
    /** Measured runs of each fan-out shape's and scale-out's CPU phase. */
    repeats: number;
    /** The CPU scenario's rooms: the rooms recruiters use (issue 13). */
    shape: Shape;
    /** Measured runs of each server in the CPU scenario, every server at the same time. */
    runs: number;
    /**
     * Messages each server of the CPU scenario takes, unmeasured, before its first measured run, at
     * twice the scenario's rate, every server at once: the JIT's warm-up (see runCpu). 0: none.
     */
    warmupMessages: number;
    /** A git revision whose reference server the CPU scenario runs beside today's; none by default. */
    baseline: string | undefined;
  };
  fanout: {
    shapes: Shape[];
    rates: number[];
    stepMs: number;
    warmupMs: number;
    drainTimeoutMs: number;
    subscribers: number;
    connectConcurrency: number;
    /** Extra steps between the last rate that held and the first that broke. */
    refineSteps: number;
    /** Run a broken step a second time before believing it. */
    confirmBreaks: boolean;
  };
  connections: {
    sockets: number;
    roomSize: number;
    socketsPerProcess: number;
    concurrency: number;
  };
  rest: {
    seconds: number;
    /** An unmeasured run of each request first, so that the JIT has seen it. */
    warmupSeconds: number;
    connections: number;
    fileBytes: number;
    /** Messages seeded into the two list rooms: a small one and a big one. */
    smallRoom: number;
    bigRoom: number;
  };
  scaleOut: {
    shape: Shape;
    rates: number[];
    stepMs: number;
    databaseUrl: string | undefined;
    redisUrl: string | undefined;
  };
  inbox: {
    /** Members (the recruiter and clients) of the rooms that message create is measured in. */
    roomSizes: number[];
    /** Runs of every room size on every server; the report gives their medians. */
    rounds: number;
    seconds: number;
    /** An unmeasured run of each room size on each server first, in the first round. */
    warmupSeconds: number;
    connections: number;
    /** The git revision whose reference server is the reference without inbox fan-out. */
    baseline: string;
    /** Rooms of one client each that the recruiter's inbox socket follows. */
    followRooms: number;
  };
}

const USAGE = `Usage: npm run bench -- [options]

Runs the benchmarks of hirechat against the floor (its message create done with bare parts), a
bare ws server and Socket.IO, and writes results.md, results.json, latency.png and machine.md into
bench/results/<date>/.

  --quick                every scenario with tiny numbers, in seconds (what the smoke test runs)
  --full                 longer steps and one more fan-out shape (1 x 5000)
  --only <list>          scenarios to run: ${SCENARIOS.join(', ')}
  --servers <list>       servers of every scenario that compares them (CPU, fan-out,
                         connections): ${SERVER_KINDS.join(', ')}
  --shapes <list>        fan-out rooms x members, e.g. 1x1000,100x10
  --rates <list>         fan-out rates to try, messages per second, e.g. 10,20,40
  --step-ms <n>          length of one fan-out step
  --connections <n>      idle sockets to open (at most the open-file limit allows)
  --big-room <n>         messages in the big room of the list benchmark
  --rest-seconds <n>     length of each REST benchmark (also each inbox message-create run)
  --p99-limit <ms>       the p99 a fan-out step must stay under (default 100)
  --cpu-rate <n>         messages per second of the fixed-rate CPU phases (default: 50, or 2,000
                         events a second where that is fewer: 20 in rooms of 100, 2 in 1 x 1000)
  --cpu-step-ms <n>      length of each measured CPU run (default 5000)
  --cpu-runs <n>         measured runs of each server in the CPU scenario (default 5)
  --cpu-warmup <n>       messages each server of the CPU scenario takes, unmeasured, at twice
                         its rate before the first measured run (default 6,000, with
                         --quick 0; 0 to 1,000,000)
  --cpu-baseline <rev>   also run the reference server of this git revision in the CPU scenario
                         (over SQLite, and PostgreSQL + Redis in a database of its own), beside
                         today's: before/after in one run
  --baseline <rev>       git revision of the reference without inbox fan-out (default: the commit
                         before issue 10, ${DEFAULT_BASELINE.slice(0, 7)})
  --cpu-prof             write a CPU profile of every hirechat and floor process into the results folder
  --node-flags=<flags>   start every hirechat and floor process with these node/V8 flags, e.g.
                         --node-flags="--log-deopt --log-code --logfile=/tmp/v8-%p.log --no-logfile-per-isolate"
  --out <dir>            results folder (default bench/results/<date>)

Scale-out runs when the reference server accepts DATABASE_URL and REDIS_URL (BENCH_DATABASE_URL
and BENCH_REDIS_URL, else DATABASE_URL and REDIS_URL, else the local defaults).`;

const ladder = (from: number, to: number) => {
  const rates: number[] = [];
  for (let rate = from; rate <= to; rate *= 2) rates.push(rate);
  return rates;
};

function profile(name: BenchOptions['profile'], resultsRoot: string): BenchOptions {
  const quick = name === 'quick';
  const full = name === 'full';
  const shapes: Shape[] = quick
    ? [
        { rooms: 1, members: 20 },
        { rooms: 4, members: 5 },
      ]
    : [
        { rooms: 1, members: 1000 },
        { rooms: 10, members: 100 },
        { rooms: 100, members: 10 },
        { rooms: 200, members: 3 },
        ...(full ? [{ rooms: 1, members: 5000 }] : []),
      ];
  return {
    profile: name,
    scenarios: [...SCENARIOS],
    servers: [...SERVER_KINDS],
    outDir: path.join(resultsRoot, new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)),
    cpuProfile: false,
    nodeFlags: [],
    p99LimitMs: 100,
    cpu: {
      rate: undefined,
      stepMs: quick ? 400 : full ? 10_000 : 5_000,
      repeats: quick ? 1 : 3,
      shape: quick ? { rooms: 4, members: 3 } : { rooms: 200, members: 3 },
      runs: quick ? 1 : 5,
      warmupMessages: quick ? 0 : 6_000,
      baseline: undefined,
    },
    fanout: {
      shapes,
      // Doubling from 10 includes 20 messages a second, a goal's figure, and reaches past what bare ws
      // holds in small rooms on a 2-core machine, so that the ceiling is found rather than assumed.
      rates: quick ? [10, 20] : ladder(10, 81_920),
      stepMs: quick ? 400 : full ? 5_000 : 2_500,
      warmupMs: quick ? 0 : 1_000,
      drainTimeoutMs: quick ? 2_000 : 2_000,
      subscribers: 2,
      connectConcurrency: quick ? 10 : 50,
      refineSteps: quick ? 0 : 2,
      confirmBreaks: !quick,
    },
    connections: {
      sockets: quick ? 60 : 20_000,
      roomSize: quick ? 20 : 100,
      socketsPerProcess: quick ? 40 : 5_000,
      concurrency: quick ? 10 : 50,
    },
    rest: {
      seconds: quick ? 0.5 : full ? 10 : 5,
      warmupSeconds: quick ? 0 : 1,
      connections: quick ? 4 : 10,
      fileBytes: 100 * 1024,
      smallRoom: quick ? 100 : 1_000,
      bigRoom: quick ? 2_000 : 1_000_000,
    },
    scaleOut: {
      shape: quick ? { rooms: 1, members: 20 } : { rooms: 1, members: 1000 },
      rates: quick ? [10] : ladder(10, 1_280),
      stepMs: quick ? 400 : full ? 5_000 : 2_500,
      databaseUrl: process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined,
      redisUrl: process.env.BENCH_REDIS_URL || process.env.REDIS_URL || undefined,
    },
    inbox: {
      roomSizes: quick ? [2, 10] : [2, 10, 200],
      rounds: quick ? 1 : 3,
      seconds: quick ? 0.5 : full ? 10 : 5,
      warmupSeconds: quick ? 0 : 1,
      connections: quick ? 4 : 10,
      baseline: DEFAULT_BASELINE,
      followRooms: quick ? 20 : 500,
    },
  };
}

/** Reads the command line; throws a message for the person at the terminal when it is wrong. */
export function parseOptions(argv: string[], resultsRoot: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      only: { type: 'string' },
      servers: { type: 'string' },
      shapes: { type: 'string' },
      rates: { type: 'string' },
      'step-ms': { type: 'string' },
      connections: { type: 'string' },
      'big-room': { type: 'string' },
      'rest-seconds': { type: 'string' },
      'p99-limit': { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'node-flags': { type: 'string' },
      'cpu-rate': { type: 'string' },
      'cpu-step-ms': { type: 'string' },
      'cpu-runs': { type: 'string' },
      'cpu-warmup': { type: 'string' },
      'cpu-baseline': { type: 'string' },
      baseline: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.quick && values.full) throw new Error('--quick and --full exclude each other');
  const options = profile(values.quick ? 'quick' : values.full ? 'full' : 'default', resultsRoot);
  if (values.only !== undefined) options.scenarios = list(values.only, SCENARIOS, '--only');
  if (values.servers !== undefined) options.servers = list(values.servers, SERVER_KINDS, '--servers');
  if (values.shapes !== undefined) options.fanout.shapes = values.shapes.split(',').map(shape);
  if (values.rates !== undefined)
    options.fanout.rates = values.rates.split(',').map((rate) => positive(rate, '--rates'));
  if (values['step-ms'] !== undefined) {
    options.fanout.stepMs = positive(values['step-ms'], '--step-ms');
    options.scaleOut.stepMs = options.fanout.stepMs;
  }
  if (values.connections !== undefined)
    options.connections.sockets = wholeNumber(values.connections, '--connections', 1, MAX_CONNECTIONS);
  if (values['big-room'] !== undefined)
    options.rest.bigRoom = wholeNumber(values['big-room'], '--big-room', 1, MAX_BIG_ROOM);
  if (values['rest-seconds'] !== undefined) {
    options.rest.seconds = positive(values['rest-seconds'], '--rest-seconds');
    options.inbox.seconds = options.rest.seconds;
  }
  if (values['p99-limit'] !== undefined) options.p99LimitMs = positive(values['p99-limit'], '--p99-limit');
  if (values['cpu-prof']) options.cpuProfile = true;
  if (values['node-flags']) options.nodeFlags = values['node-flags'].split(' ').filter(Boolean);
  if (values['cpu-rate'] !== undefined) options.cpu.rate = positive(values['cpu-rate'], '--cpu-rate');
  if (values['cpu-step-ms'] !== undefined)
    options.cpu.stepMs = positive(values['cpu-step-ms'], '--cpu-step-ms');
  if (values['cpu-runs'] !== undefined)
    options.cpu.runs = wholeNumber(values['cpu-runs'], '--cpu-runs', 1, MAX_CPU_RUNS);
  if (values['cpu-warmup'] !== undefined)
    options.cpu.warmupMessages = wholeNumber(values['cpu-warmup'], '--cpu-warmup', 0, MAX_WARMUP_MESSAGES);
  if (values['cpu-baseline'] !== undefined) options.cpu.baseline = values['cpu-baseline'].trim();
  if (values.baseline !== undefined) options.inbox.baseline = values.baseline.trim();
  if (values.out !== undefined) {
    if (values.out.trim() === '') throw new Error('--out: an empty path');
    options.outDir = path.resolve(values.out);
  }
  return options;
}

export { USAGE };

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.includes(''))
    throw new Error(`${flag}: "${value}" has an empty name; expected ${allowed.join(', ')}`);
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length)
    throw new Error(`${flag}: unknown ${unknown.join(', ')}; expected ${allowed.join(', ')}`);
  return items as T[];
}

function positive(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`${flag}: "${value}" is not a positive number`);
  return number;
}

/** A warm-up of more would take hours at its rate (and its run's timer would overflow). */
const MAX_WARMUP_MESSAGES = 1_000_000;
/** Past these a run would take days or the machine's memory; counts of things, not amounts. */
const MAX_CPU_RUNS = 1_000;
const MAX_CONNECTIONS = 1_000_000;
const MAX_BIG_ROOM = 100_000_000;

/**
 * Digits only (no sign, exponent or hex), `min` to `max`: a count (`--cpu-runs 2.5` is no number
 * of runs).
 */
function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max))
    throw new Error(`${flag}: "${value}" is not a whole number from ${min} to ${max}`);
  return number;
}

function shape(value: string): Shape {
  const match = /^([1-9]\d*)x([1-9]\d*)$/.exec(value.trim());
  if (!match)
    throw new Error(`--shapes: "${value}" is not <rooms>x<members> of whole numbers from 1, e.g. 1x1000`);
  return { rooms: Number(match[1]), members: Number(match[2]) };
}

/**
 * The fixed rate of a CPU phase in rooms of `members`: 50 msg/s, or 2,000 events a second in all
 * where that is fewer (20 msg/s in rooms of 100, 2 in the room of 1,000). A tenth or less of what
 * hirechat holds in each shape on a quiet 2-core machine, so that it still keeps up when other work
 * shares the cores: on a machine with a load average of 10 it fell behind 100 msg/s in rooms of 3
 * and 50 msg/s in rooms of 100.
 */
export function cpuRate(options: BenchOptions, members: number): number {
  return options.cpu.rate ?? Math.max(1, Math.min(50, Math.round(2_000 / members)));
}
