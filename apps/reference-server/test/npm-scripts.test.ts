import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from './support/processes.js';

/*
 * `npm start`, `npm run token` and `npm run webhooks` build with turbo, then run node. Stopping
 * the npm process (a supervisor's SIGTERM, Ctrl-C in a terminal) must stop node too: npm passes
 * the signal on to the shell that runs the script, and only `exec node` makes node that shell.
 *
 * Running the real scripts here would build first, which takes minutes after a source change; so
 * each script runs as written in the root package.json, in a scratch folder where turbo's step is
 * `true` and the built entry is a stand-in that waits to be stopped.
 */

const SCRIPTS = ['start', 'token', 'webhooks'] as const;
/** The build step each script starts with, which the stand-in folder does not need. */
const BUILD_STEP = /^turbo run build [^&>]*/;

const rootScripts: Record<string, string> = JSON.parse(
  await readFile(path.join(ROOT, 'package.json'), 'utf8'),
).scripts;

/** Whether the process is still running (signal 0 only asks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(done: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  return done();
}

describe('the npm scripts that run the reference server', () => {
  const scratch: string[] = [];
  const stray: number[] = [];

  afterEach(async () => {
    for (const pid of stray.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it.each(SCRIPTS)('stop node when npm is stopped with SIGTERM (npm run %s)', async (name) => {
    const script = rootScripts[name];
    expect(script, name).toMatch(BUILD_STEP);
    const entry = /\bnode (\S+\.js)/.exec(script ?? '')?.[1];
    expect(entry, `${name} runs a built file with node`).toBeDefined();

    const dir = await mkdtemp(path.join(tmpdir(), 'hirechat-npm-script-'));
    scratch.push(dir);
    const pidFile = path.join(dir, 'node.pid');
    await mkdir(path.dirname(path.join(dir, entry!)), { recursive: true });
    await writeFile(
      path.join(dir, entry!),
      `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetInterval(() => {}, 1000);\n`,
    );
    const scripts = { [name]: script!.replace(BUILD_STEP, 'true ') };
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ private: true, scripts }));

    const npm = spawn('npm', ['run', '-s', name], { cwd: dir, stdio: 'ignore' });
    let nodePid = 0;
    expect(
      await waitUntil(() => {
        try {
          nodePid = Number(readFileSync(pidFile, 'utf8'));
        } catch {
          // Not written yet.
        }
        return nodePid > 0;
      }),
    ).toBe(true);
    stray.push(nodePid);

    const exited = once(npm, 'exit');
    npm.kill('SIGTERM');
    await exited;
    expect(await waitUntil(() => !alive(nodePid)), `node of npm run ${name} is still running`).toBe(true);
  });
});
