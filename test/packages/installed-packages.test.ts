import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPackages,
  exportSpecifiers,
  exportTargets,
  firstTypeScriptBlock,
  installScratchProject,
  packPackages,
  publishablePackages,
  ROOT,
  sh,
  type Tarball,
  typecheck,
  type WorkspacePackage,
} from './support/scratch-project.js';

/*
 * The packages as an app gets them from the registry: built once, packed with `npm pack`, installed
 * from the tarballs into a project outside the workspace, then used from ESM, from CommonJS and from
 * TypeScript (moduleResolution node16 and bundler). Nothing here sees the workspace's sources.
 */

/** The condition that points the workspace's own tools at src/; installed packages never meet it. */
const SOURCE_CONDITION = '@hirechat/source';
/** Packages that promise to work in browsers: compiled without @types/node. */
const BROWSER_PACKAGES = ['@hirechat/protocol', '@hirechat/client-sdk'];
const CONSUMER = path.join(ROOT, 'test/packages/consumer');

// Each step runs node, npm or tsc in a child process: seconds alone, much longer on a busy machine.
describe('the packages, packed and installed outside the workspace', { timeout: 180_000 }, () => {
  let workDir: string;
  let scratch: string;
  let packages: WorkspacePackage[];
  let tarballs: Tarball[];
  let names: string[];

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'hirechat-packages-'));
    scratch = path.join(workDir, 'app');
    await mkdir(scratch);
    packages = await publishablePackages();
    names = packages.map((pkg) => pkg.manifest.name);
    await buildPackages();
    tarballs = await packPackages(packages, workDir);
    await installScratchProject(scratch, tarballs);
  }, 300_000);

  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('packs every publishable package, each with README, LICENSE, CHANGELOG and what its exports name', async () => {
    expect(names).toEqual(['@hirechat/client-sdk', '@hirechat/protocol', '@hirechat/server-kit']);
    const license = await readFile(path.join(ROOT, 'LICENSE'), 'utf8');
    for (const { dir, manifest } of packages) {
      const tarball = tarballs.find((t) => t.name === manifest.name);
      expect(tarball, manifest.name).toBeDefined();
      const files = new Set(tarball?.files);
      for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']) {
        expect(files.has(file), `${manifest.name} packs ${file}`).toBe(true);
      }
      expect(await readFile(path.join(dir, 'LICENSE'), 'utf8'), `${manifest.name}'s LICENSE`).toBe(license);

      const named = [
        ...exportTargets(manifest.exports, SOURCE_CONDITION),
        ...[manifest.main, manifest.module, manifest.types].filter((file) => file !== undefined),
      ];
      for (const target of named) {
        expect(files.has(path.posix.normalize(target)), `${manifest.name} packs ${target}`).toBe(true);
      }
      // Only the built output and the documents: no sources, tests or configuration.
      expect(
        [...files].filter(
          (file) => !/^(dist\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(file),
        ),
      ).toEqual([]);
    }
  });

  it('says where each package comes from, what it is under and what Node it needs', () => {
    for (const { manifest } of packages) {
      const dir = `packages/${manifest.name.replace('@hirechat/', '')}`;
      expect(manifest.license, manifest.name).toBe('MIT');
      expect(manifest.repository, manifest.name).toEqual({
        type: 'git',
        url: expect.stringMatching(/^git\+https:\/\/.+\.git$/),
        directory: dir,
      });
      expect(manifest.homepage, manifest.name).toMatch(new RegExp(`^https://.+/${dir}#readme$`));
      expect(manifest.engines?.node, manifest.name).toMatch(/^>=\d+/);
      // The workspace's condition goes first, so that it wins wherever it is set, and nowhere else.
      for (const value of Object.values(manifest.exports)) {
        if (typeof value !== 'string') expect(Object.keys(value)[0]).toBe(SOURCE_CONDITION);
      }
    }
  });

  it('resolves every export from ESM to the installed dist/, and serves a room end to end', async () => {
    await copyFile(path.join(CONSUMER, 'scenario.cjs'), path.join(scratch, 'scenario.cjs'));
    await copyFile(path.join(CONSUMER, 'esm.mjs'), path.join(scratch, 'esm.mjs'));
    const { stdout } = await sh(process.execPath, ['esm.mjs', ...names], { cwd: scratch });
    const [resolution, outcome] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expectResolvedIntoScratch(resolution.resolved, /\/dist\/.+\.js$/);
    expect(outcome).toEqual(END_TO_END);
  });

  it('resolves every export from CommonJS to the installed dist/, and serves a room end to end', async () => {
    await copyFile(path.join(CONSUMER, 'scenario.cjs'), path.join(scratch, 'scenario.cjs'));
    await copyFile(path.join(CONSUMER, 'cjs.cjs'), path.join(scratch, 'cjs.cjs'));
    const { stdout } = await sh(process.execPath, ['cjs.cjs', ...names], { cwd: scratch });
    const [resolution, outcome] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expectResolvedIntoScratch(resolution.resolved, /\/dist\/.+\.cjs$/);
    expect(outcome).toEqual(END_TO_END);
  });

  // Two programs, as two apps: one program holding both would load each package's ESM and CommonJS
  // declarations side by side, which no single app does.
  it.each([
    { kind: 'ESM', ext: 'mts' },
    { kind: 'CommonJS', ext: 'cts' },
  ])('type-checks an app as $kind with moduleResolution node16', async ({ ext }) => {
    const dir = path.join(scratch, `node16-${ext}`);
    await mkdir(dir, { recursive: true });
    const files: Record<string, string> = {
      [`app.${ext}`]: await readFile(path.join(CONSUMER, 'node-app.ts'), 'utf8'),
      [`exports.${ext}`]: allExportsModule(packages),
    };
    // Each package's README example, as an app would paste it (top-level await needs ESM).
    if (ext === 'mts') {
      for (const { dir: pkgDir, manifest } of packages) {
        const readme = await readFile(path.join(pkgDir, 'README.md'), 'utf8');
        files[`readme-${manifest.name.replace('@hirechat/', '')}.mts`] = firstTypeScriptBlock(readme);
      }
    }
    await writeProject(dir, files, {
      module: 'node16',
      moduleResolution: 'node16',
      target: 'es2022',
      lib: ['es2022'],
      types: ['node'],
    });
    await typecheck(dir, dir);
  });

  it('type-checks a browser app with moduleResolution bundler and no Node types', async () => {
    const dir = path.join(scratch, 'bundler');
    await mkdir(dir, { recursive: true });
    const browserPackages = packages.filter((pkg) => BROWSER_PACKAGES.includes(pkg.manifest.name));
    const files: Record<string, string> = {
      'app.ts': await readFile(path.join(CONSUMER, 'browser-app.ts'), 'utf8'),
      'exports.ts': allExportsModule(browserPackages),
    };
    for (const { dir: pkgDir, manifest } of browserPackages) {
      const readme = await readFile(path.join(pkgDir, 'README.md'), 'utf8');
      files[`readme-${manifest.name.replace('@hirechat/', '')}.ts`] = firstTypeScriptBlock(readme);
    }
    await writeProject(dir, files, {
      module: 'esnext',
      moduleResolution: 'bundler',
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
    });
    await typecheck(dir, dir);
  });

  /** Every resolved file is the scratch project's own copy, a built file of the right format. */
  function expectResolvedIntoScratch(resolved: Record<string, string>, built: RegExp): void {
    const expected = packages.flatMap((pkg) => exportSpecifiers(pkg.manifest));
    expect(
      Object.keys(resolved)
        .filter((specifier) => !specifier.endsWith('.json'))
        .sort(),
    ).toEqual(expected.sort());
    for (const [specifier, file] of Object.entries(resolved)) {
      expect(file, specifier).toContain(
        path.join(scratch, 'node_modules', ...specifier.split('/').slice(0, 2)),
      );
      if (!specifier.endsWith('.json')) expect(file, specifier).toMatch(built);
    }
  }
});

/** What scenario.cjs prints after its round trip. */
const END_TO_END = {
  type: 'message_created',
  content: 'hello from the tarballs',
  roomMatches: true,
  refusal: { isChatApiError: true, status: 404 },
  forbiddenCloseCode: 4403,
};

/** A module that imports every export of every package, so that each must have its types. */
function allExportsModule(packages: WorkspacePackage[]): string {
  const specifiers = packages.flatMap((pkg) => exportSpecifiers(pkg.manifest));
  const imports = specifiers.map((specifier, i) => `import * as m${i} from '${specifier}';`);
  return `${imports.join('\n')}\nexport const modules = [${specifiers.map((_, i) => `m${i}`).join(', ')}];\n`;
}

/** Writes the files and a strict tsconfig.json over them (no skipLibCheck: the packages' .d.ts count). */
async function writeProject(
  dir: string,
  files: Record<string, string>,
  compilerOptions: Record<string, unknown>,
): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const tsconfig = {
    compilerOptions: {
      ...compilerOptions,
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      esModuleInterop: true,
      noUncheckedIndexedAccess: true,
    },
    files: Object.keys(files),
  };
  await writeFile(path.join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
}
