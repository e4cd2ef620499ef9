import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/**
 * The environment for a child npm, node or tsc: the test's own minus what npm put there for the
 * script that runs the tests (`npm_config_local_prefix` and the like would point a child npm back at
 * the workspace).
 */
function childEnv(): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name));
  // turbo reports usage over the internet unless told not to; nothing here reaches it.
  return { ...Object.fromEntries(inherited), TURBO_TELEMETRY_DISABLED: '1' };
}

/** Runs a command; rejects with its whole output when it fails. */
export async function sh(
  file: string,
  args: string[],
  options: { cwd: string; timeoutMs?: number },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, {
      cwd: options.cwd,
      env: childEnv(),
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${options.cwd}:\n${stdout}\n${stderr}`, {
      cause: error,
    });
  }
}

/** A publishable workspace package: its folder and package.json. */
export interface WorkspacePackage {
  dir: string;
  manifest: PackageManifest;
}

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  module?: string;
  types?: string;
  exports: Record<string, string | ExportConditions>;
  files?: string[];
  engines?: Record<string, string>;
  repository?: { type: string; url: string; directory: string };
  homepage?: string;
  license?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface ExportConditions {
  [condition: string]: string | ExportConditions;
}

/** Every package under packages/ that is not private: what `npm publish` would publish. */
export async function publishablePackages(): Promise<WorkspacePackage[]> {
  const dirs = await readdir(path.join(ROOT, 'packages'));
  const found = await Promise.all(
    dirs.sort().map(async (name) => {
      const dir = path.join(ROOT, 'packages', name);
      const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as PackageManifest;
      return { dir, manifest };
    }),
  );
  return found.filter((pkg) => !pkg.manifest.private);
}

/** Every file an exports map points at, under each condition but `skip`. */
export function exportTargets(exports: PackageManifest['exports'], skip: string): string[] {
  const targets: string[] = [];
  const walk = (value: string | ExportConditions) => {
    if (typeof value === 'string') targets.push(value);
    else for (const [condition, next] of Object.entries(value)) if (condition !== skip) walk(next);
  };
  for (const value of Object.values(exports)) walk(value);
  return targets;
}

/** The specifiers an app can import: the package name, and `name/sub` for each other subpath. */
export function exportSpecifiers(pkg: PackageManifest): string[] {
  return Object.keys(pkg.exports)
    .filter((subpath) => !subpath.endsWith('.json'))
    .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
}

/** Builds the publishable packages once, in dependency order (turbo; a cached build is restored). */
export async function buildPackages(): Promise<void> {
  await sh(
    process.execPath,
    [
      require.resolve('turbo/bin/turbo'),
      'run',
      'build',
      '--filter=./packages/*',
      '--output-logs=errors-only',
    ],
    { cwd: ROOT, timeoutMs: 180_000 },
  );
}

export interface Tarball {
  name: string;
  /** Absolute path of the .tgz. */
  file: string;
  /** Paths inside the package, as `npm pack` lists them. */
  files: string[];
}

/** `npm pack` of each package into `destination`. */
export async function packPackages(packages: WorkspacePackage[], destination: string): Promise<Tarball[]> {
  const workspaces = packages.flatMap((pkg) => ['-w', pkg.manifest.name]);
  const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', destination, ...workspaces], {
    cwd: ROOT,
  });
  const packed = JSON.parse(stdout) as Array<{
    name: string;
    filename: string;
    files: Array<{ path: string }>;
  }>;
  return packed.map((entry) => ({
    name: entry.name,
    file: path.join(destination, entry.filename),
    files: entry.files.map((file) => file.path),
  }));
}

/**
 * A project outside the workspace that depends on the tarballs (and on what an app adds itself: the
 * peer @hapi/hapi; @types/node; joi, without which @hapi/hapi's own declarations do not compile when
 * libraries are type-checked), installed by npm as a user's would be. Scripts are skipped: the only
 * one is better-sqlite3's native build, which takes minutes and tells nothing about our packages.
 */
export async function installScratchProject(dir: string, tarballs: Tarball[]): Promise<void> {
  const rootManifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const serverKit = JSON.parse(
    await readFile(path.join(ROOT, 'packages/server-kit/package.json'), 'utf8'),
  ) as PackageManifest;
  const dependencies: Record<string, string> = {
    ...Object.fromEntries(tarballs.map((tarball) => [tarball.name, `file:${tarball.file}`])),
    ...serverKit.peerDependencies,
    '@types/node': rootManifest.devDependencies['@types/node'] ?? '*',
    joi: '^17.13.3',
  };
  await writeFile(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'hirechat-scratch-app', private: true, dependencies }, null, 2)}\n`,
  );
  await sh(
    'npm',
    ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'],
    { cwd: dir, timeoutMs: 180_000 },
  );
}

/** tsc of the workspace, run on a project outside it. */
export async function typecheck(project: string, cwd: string): Promise<void> {
  await sh(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], { cwd });
}

/** The first ```ts block of a README. */
export function firstTypeScriptBlock(markdown: string): string {
  const match = /```ts\n([\s\S]*?)```/.exec(markdown);
  if (!match?.[1]) throw new Error('the README has no ```ts example');
  return match[1];
}
