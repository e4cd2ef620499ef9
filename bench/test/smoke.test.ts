import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../src/report/results.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Runs `bench/run.ts` as `npm run bench` does, and answers its exit code and output. */
function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@hirechat/source', '--import', 'tsx', 'bench/run.ts', ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

// Keeps the bench from rotting: every scenario with tiny numbers, checking what it writes and never
// how fast anything was.
describe('npm run bench -- --quick', () => {
  it('writes results.json, results.md and a latency chart covering every server, with their CPU per message', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'hirechat-bench-smoke-'));
    try {
      const { code, output } = await runBench([
        '--quick',
        '--cpu-baseline',
        'HEAD',
        '--cpu-warmup',
        '12',
        '--node-flags=--no-warnings',
        '--out',
        out,
      ]);
      expect(code, output).toBe(0);

      const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as BenchResults;
      expect(results.errors).toEqual([]);
      const servers = ['hirechat', 'floor', 'ws', 'socketio'];
      expect(new Set(results.fanout?.series.map((series) => series.server))).toEqual(new Set(servers));
      for (const series of results.fanout?.series ?? []) {
        expect(series.error).toBeNull();
        expect(series.steps.length).toBeGreaterThan(0);
        expect(series.cpu?.perMessageUs).toBeGreaterThan(0);
        expect(series.cpu?.perEventUs).toBeGreaterThan(0);
      }
      // The CPU scenario: every server measured (hirechat over PostgreSQL too, or said why not), and
      // hirechat of the baseline commit beside today's.
      const cpu = results.cpu?.servers ?? [];
      const today = cpu.filter((server) => server.commit === null);
      expect(
        today.filter((server) => server.backing !== 'PostgreSQL + Redis').map((server) => server.kind),
      ).toEqual(servers);
      expect(results.cpu?.baseline?.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(
        cpu.filter((server) => server.commit !== null && server.backing === 'SQLite').map((s) => s.kind),
      ).toEqual(['hirechat']);
      expect(
        cpu.some((server) => server.backing === 'PostgreSQL + Redis') || results.cpu?.skipped.length,
      ).toBeTruthy();
      for (const server of cpu) {
        expect(server.error).toBeNull();
        expect(server.phase?.perMessageUs).toBeGreaterThan(0);
        // Each server took its warm-up before its runs.
        expect(output).toContain(`cpu warm-up of ${server.label}: 12 messages`);
      }
      expect(results.cpu?.warmup.messages).toBe(12);
      expect(results.connections?.runs.map((run) => run.server)).toEqual(servers);
      for (const run of results.connections?.runs ?? []) {
        expect(run.opened).toBe(run.requested);
        expect(run.socketsWithEvent).toBe(run.opened);
        expect(run.cpuPerHandshakeUs).toBeGreaterThan(0);
      }
      expect(results.rest?.runs.map((run) => run.ok > 0)).toEqual([true, true, true, true, true]);
      for (const run of results.rest?.runs ?? []) expect(run.cpuPerRequestUs).toBeGreaterThan(0);
      // Scale-out either ran or said why not; both are fine here.
      expect(results.scaleOut?.ran === true || typeof results.scaleOut?.reason === 'string').toBe(true);
      // Message create with inbox fan-out, against the commit before the inbox when git has it.
      expect(results.inbox?.create.map((cost) => cost.members)).toEqual([2, 10]);
      for (const run of results.inbox?.runs ?? []) {
        expect(run.okPerSec).toBeGreaterThan(0);
        expect(run.cpuMsPerMessage).toBeGreaterThan(0);
      }
      const baseline = results.inbox?.baseline;
      if (baseline?.ran !== false) {
        expect(results.inbox?.runs.map((run) => run.server).sort()).toEqual([
          'baseline',
          'baseline',
          'current',
          'current',
        ]);
        expect(results.inbox?.create.every((cost) => cost.throughputRatio !== null)).toBe(true);
      } else {
        expect(baseline.reason).not.toBe('');
      }
      expect(results.inbox?.follow.ramp.error).toBeNull();
      expect(results.inbox?.follow.ramp.steps.every((step) => step.received === step.expected)).toBe(true);
      expect(results.goals.length).toBeGreaterThan(0);

      const markdown = await readFile(path.join(out, 'results.md'), 'utf8');
      for (const label of ['| hirechat |', '| floor |', '| bare ws |', '| Socket.IO |'])
        expect(markdown).toContain(label);
      expect(markdown).toContain('hirechat ÷ floor');
      expect(markdown).toContain('## CPU per message');
      expect(markdown).toContain('÷ baseline, run by run');
      // The CPU scenario's servers take their loads at the same time, each its own.
      expect(markdown).toContain('every server taking its own load');
      expect(markdown).toContain('for CPU, 1 subscriber process and 1 writer for each server');
      expect(markdown).toContain('![Fan-out latency against rate](latency.png)');
      expect(markdown).toContain('## 5. Inbox fan-out (issue 10)');
      // Figures made under node flags say so.
      expect(markdown).toContain('ran with `--no-warnings` (`--node-flags`)');
      expect(markdown).toContain('each server first took 12 messages');

      const png = await readFile(path.join(out, 'latency.png'));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(png.length).toBeGreaterThan(10_000);
      const svg = await readFile(path.join(out, 'latency.svg'), 'utf8');
      for (const label of ['hirechat', 'floor', 'bare ws', 'Socket.IO']) expect(svg).toContain(label);
      await expect(readFile(path.join(out, 'machine.md'), 'utf8')).resolves.toContain('Node');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);
});
