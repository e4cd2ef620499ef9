import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BaselineUnavailable, resolveCommit } from '../src/baseline.js';
import { parseOptions } from '../src/options.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/*
 * The bench's command line refuses what it cannot run before anything starts: a count that is not
 * a whole number (it ran 2.5 runs' worth of rounding), a list with an empty name, a shape of zero,
 * a revision that names no commit (the run went on for minutes without its baseline).
 */

const parse =
  (...argv: string[]) =>
  () =>
    parseOptions(argv, '/tmp/bench-results');

describe('bench options', () => {
  it('refuses counts that are not whole numbers from 1', () => {
    for (const flag of ['--cpu-runs', '--connections', '--big-room']) {
      for (const value of ['2.5', '0', '-1', '1e3', 'x', '']) {
        expect(parse(`${flag}=${value}`), `${flag}=${value}`).toThrow(
          `${flag}: "${value}" is not a whole number`,
        );
      }
    }
    const options = parseOptions(['--cpu-runs', '3', '--connections', '500', '--big-room', '2000'], '/tmp/r');
    expect(options).toMatchObject({
      cpu: { runs: 3 },
      connections: { sockets: 500 },
      rest: { bigRoom: 2000 },
    });
  });

  it('refuses a list with an empty name, naming the list', () => {
    expect(parse('--servers', 'hirechat,,floor')).toThrow('--servers: "hirechat,,floor" has an empty name');
    expect(parse('--only', 'cpu,')).toThrow('--only: "cpu," has an empty name');
  });

  it('refuses an empty value rather than ignoring it', () => {
    expect(parse('--only=')).toThrow('--only: "" has an empty name');
    expect(parse('--rates=')).toThrow('--rates: "" is not a positive number');
    expect(parse('--cpu-step-ms=')).toThrow('--cpu-step-ms: "" is not a positive number');
    expect(parse('--out=')).toThrow('--out: an empty path');
  });

  it('refuses a shape of zero rooms or members', () => {
    for (const shape of ['0x5', '5x0', '1.5x3']) {
      expect(parse('--shapes', shape)).toThrow(`--shapes: "${shape}" is not <rooms>x<members>`);
    }
  });

  it('resolves a revision to its commit, and refuses one that names none', async () => {
    await expect(resolveCommit('HEAD')).resolves.toMatch(/^[0-9a-f]{40}$/);
    await expect(resolveCommit('nosuchrev123')).rejects.toThrow(BaselineUnavailable);
  });

  it('stops at once, with exit code 2, on a baseline revision that names no commit', () => {
    for (const flag of ['--cpu-baseline', '--baseline']) {
      const run = spawnSync(
        process.execPath,
        [
          '--conditions=@hirechat/source',
          '--import',
          'tsx',
          'bench/run.ts',
          '--only',
          'cpu',
          flag,
          'nosuchrev123',
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(`error: ${flag}: "nosuchrev123" names no commit of this checkout`);
    }
  });
});
