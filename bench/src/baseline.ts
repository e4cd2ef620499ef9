import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './servers.js';

/*
 * The reference server as an earlier commit had it, run beside today's in the same bench run: a
 * reference measured on the same machine, at the same moment, over the same requests. Its sources
 * come out of this checkout's git history; its dependencies are this checkout's node_modules,
 * which fits as long as package-lock.json did not change in between (the report names the commit,
 * and says when the lock file differs).
 */

const run = promisify(execFile);

/**
 * The commit before issue 10 (rooms that change, the inbox, presence) landed: main as issue 9
 * part A left it, with no inbox log and no inbox fan-out on message create.
 */
export const DEFAULT_BASELINE = '1be4335e9a097b26917fb7881ffbb4dcb746a9f7';

/** What the baseline's reference server is built from. */
const PATHS = [
  'package.json',
  'tsconfig.json',
  'tsconfig.base.json',
  'packages/protocol',
  'packages/server-kit',
  'apps/reference-server',
];

/** Workspace packages that resolve to the baseline's sources rather than today's. */
const OWN_PACKAGES: Record<string, string> = {
  protocol: 'packages/protocol',
  'server-kit': 'packages/server-kit',
  'reference-server': 'apps/reference-server',
};

export interface Baseline {
  /** The revision asked for, as given. */
  rev: string;
  commit: string;
  /** The commit's subject line. */
  subject: string;
  /** Whether its package-lock.json differs from this checkout's (its dependencies may then differ). */
  lockChanged: boolean;
  /** Root of the extracted sources; `apps/reference-server/src/main.ts` is its server. */
  root: string;
}

/** The baseline could not be made (no git, an unknown revision); the scenario says so and goes on. */
export class BaselineUnavailable extends Error {}

/** Runs git in this checkout and answers its output. @throws BaselineUnavailable when git fails. */
async function git(...args: string[]): Promise<string> {
  try {
    return (await run('git', ['-C', ROOT, ...args], { maxBuffer: 1 << 20 })).stdout.trim();
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new BaselineUnavailable(`git ${args[0]} failed: ${detail}`);
  }
}

/**
 * The full commit `rev` names in this checkout, so that a revision given on the command line is
 * checked before anything runs. @throws BaselineUnavailable when it names none.
 */
export function resolveCommit(rev: string): Promise<string> {
  return git('rev-parse', '--verify', '--quiet', `${rev}^{commit}`).catch(() => {
    throw new BaselineUnavailable(`"${rev}" names no commit of this checkout`);
  });
}

/**
 * Extracts the reference server of `rev` into a folder under `scratchDir` and links this
 * checkout's installed dependencies beside it (the workspace's own packages point at the extracted
 * sources).
 */
export async function prepareBaseline(rev: string, scratchDir: string): Promise<Baseline> {
  const commit = await resolveCommit(rev);
  const subject = await git('log', '-1', '--format=%s', commit);
  const lockChanged = (await git('diff', '--name-only', commit, '--', 'package-lock.json')) !== '';
  const root = await mkdtemp(path.join(scratchDir, 'baseline-'));
  const archive = path.join(root, 'sources.tar');
  await git('archive', '--format=tar', '-o', archive, commit, '--', ...PATHS);
  await run('tar', ['-xf', archive, '-C', root]);
  await linkDependencies(root);
  return { rev, commit, subject, lockChanged, root };
}

async function linkDependencies(root: string): Promise<void> {
  const installed = path.join(ROOT, 'node_modules');
  const modules = path.join(root, 'node_modules');
  await mkdir(path.join(modules, '@hirechat'), { recursive: true });
  for (const entry of await readdir(installed)) {
    if (entry === '@hirechat' || entry === '.bin' || entry.startsWith('.')) continue;
    await symlink(path.join(installed, entry), path.join(modules, entry));
  }
  for (const entry of await readdir(path.join(installed, '@hirechat'))) {
    const own = OWN_PACKAGES[entry];
    await symlink(
      own ? path.join(root, own) : path.join(installed, '@hirechat', entry),
      path.join(modules, '@hirechat', entry),
    );
  }
}
