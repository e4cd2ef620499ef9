import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BASELINE, resolveCommit } from './src/baseline.js';
import { describeMachine, machineMarkdown } from './src/machine.js';
import { type BenchOptions, parseOptions, type Scenario, USAGE } from './src/options.js';
import type { BenchResults } from './src/report/results.js';
import { withSummary, writeReport } from './src/report/write.js';
import { type ConnectionsResult, runConnections } from './src/scenarios/connections.js';
import type { RunContext } from './src/scenarios/context.js';
import { type CpuResult, runCpu } from './src/scenarios/cpu.js';
import { type FanoutResult, runFanout } from './src/scenarios/fanout.js';
import { type InboxResult, runInbox } from './src/scenarios/inbox.js';
import { type RestResult, runRest } from './src/scenarios/rest.js';
import { runScaleOut, type ScaleOutResult } from './src/scenarios/scale-out.js';
import { killAllServers, setServerNodeFlags } from './src/servers.js';

/*
 * `npm run bench`: runs the scenarios one after another, then writes results.json, results.md,
 * latency.png and machine.md into the run's folder under bench/results/.
 */

const RESULTS_ROOT = fileURLToPath(new URL('./results/', import.meta.url));

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(argv, RESULTS_ROOT);
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  // A revision given on the command line must name a commit before minutes of running go to it.
  const revisions = [
    ['--cpu-baseline', options.cpu.baseline],
    ['--baseline', options.inbox.baseline === DEFAULT_BASELINE ? undefined : options.inbox.baseline],
  ] as const;
  for (const [flag, rev] of revisions) {
    if (rev === undefined) continue;
    try {
      await resolveCommit(rev);
    } catch (error) {
      console.error(`error: ${flag}: ${(error as Error).message}`);
      return 2;
    }
  }
  const started = new Date();
  const machine = describeMachine();
  await mkdir(options.outDir, { recursive: true });
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), 'hirechat-bench-'));
  const profileDir = options.cpuProfile ? path.join(options.outDir, 'profiles') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  setServerNodeFlags(options.nodeFlags);
  const log = (line: string) => {
    const seconds = ((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4);
    console.log(`[${seconds} s] ${line}`);
  };
  const context: RunContext = {
    options,
    jwtSecret: randomBytes(32).toString('hex'),
    scratchDir,
    profileDir,
    log,
  };
  const stopNow = () => {
    killAllServers();
    void rm(scratchDir, { recursive: true, force: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopNow);
  process.once('SIGTERM', stopNow);

  log(
    `profile ${options.profile}: ${options.scenarios.join(', ')} on ${machine.cpus} cores; ` +
      `load average ${machine.loadBefore.map((value) => value.toFixed(2)).join(', ')}; results in ${options.outDir}`,
  );
  const errors: BenchResults['errors'] = [];
  let cpu: CpuResult | null = null;
  let fanout: FanoutResult | null = null;
  let connections: ConnectionsResult | null = null;
  let rest: RestResult | null = null;
  let scaleOut: ScaleOutResult | null = null;
  let inbox: InboxResult | null = null;
  const attempt = async <T>(scenario: Scenario, run: () => Promise<T>): Promise<T | null> => {
    if (!options.scenarios.includes(scenario)) return null;
    try {
      return await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${scenario} failed: ${message}`);
      errors.push({ scenario, message });
      return null;
    }
  };
  try {
    cpu = await attempt('cpu', () => runCpu(context));
    fanout = await attempt('fanout', () => runFanout(context));
    connections = await attempt('connections', () => runConnections(context));
    rest = await attempt('rest', () => runRest(context));
    scaleOut = await attempt('scale-out', () => runScaleOut(context));
    inbox = await attempt('inbox', () => runInbox(context));
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }

  machine.loadAfter = os.loadavg();
  const finished = new Date();
  const loads = [
    cpu && 'for CPU, 1 subscriber process and 1 writer for each server, every server at once',
    fanout && `for fan-out, ${fanout.loadProcesses - 1} subscriber processes and 1 writer`,
    connections && `for connections, ${connections.loadProcesses - 1} subscriber processes and 1 writer`,
    rest && 'for REST, autocannon in 1 process',
    inbox && 'for the inbox, autocannon in 1 process, then 1 subscriber process and 1 writer',
  ].filter(Boolean);
  const loadProcesses = loads.length
    ? `The load generator ran in separate processes: ${loads.join('; ')}.`
    : '';
  const { outDir: _outDir, scaleOut: scaleOutOptions, ...recorded } = options;
  const { databaseUrl: _db, redisUrl: _redis, ...scaleOutRecorded } = scaleOutOptions;
  const results: BenchResults = withSummary({
    version: 1,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: (finished.getTime() - started.getTime()) / 1000,
    profile: options.profile,
    options: { ...recorded, scaleOut: scaleOutRecorded },
    machine,
    topology:
      `Each server under test ran as one Node process; nothing was pinned, and all processes shared the machine's ` +
      `${machine.cpus} cores. ${loadProcesses.trim()}`,
    cpu,
    fanout,
    connections,
    rest,
    scaleOut,
    inbox,
    errors,
  });

  const markdown = await writeReport(results, options.outDir);
  await writeFile(path.join(options.outDir, 'machine.md'), machineMarkdown(machine, loadProcesses));

  // The goals and the side-by-side table, as at the top of results.md.
  const sideBySide = markdown.split('\n## 1.')[0] ?? markdown;
  console.log(`\n${sideBySide.split('\n').slice(2).join('\n')}`);
  log(`done: ${path.relative(process.cwd(), options.outDir) || '.'}/results.md`);
  return errors.length > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
