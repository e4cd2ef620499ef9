import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Node's built-in modules, under both of their names. */
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

describe('the browser build', () => {
  it('bundles the SDK for browsers without any Node built-in, with the browser WebSocket', async () => {
    const output = (await build({
      configFile: false,
      logLevel: 'silent',
      resolve: {
        alias: { '@hirechat/protocol': source('../../protocol/src/index.ts') },
      },
      build: {
        write: false,
        minify: false,
        lib: { entry: source('../src/index.ts'), formats: ['es'], fileName: 'index' },
      },
    })) as Rollup.RollupOutput[];

    const chunks = output.flatMap((result) => result.output).filter((item) => item.type === 'chunk');
    const modules = chunks.flatMap((chunk) => Object.keys(chunk.modules));
    const imports = chunks.flatMap((chunk) => [...chunk.imports, ...chunk.dynamicImports]);

    expect(imports.filter((name) => builtins.has(name))).toEqual([]);
    // Vite stands an empty module in for a built-in that a browser build imports whole.
    expect(modules.filter((id) => id.includes('vite-browser-external'))).toEqual([]);
    expect(modules.some((id) => id.endsWith('isomorphic-ws/browser.js'))).toBe(true);
    expect(modules.filter((id) => /node_modules\/ws\//.test(id))).toEqual([]);
  }, 60_000);
});
