import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const APP = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds the demo web app with its own vite.config.ts (so, as `npm run build` does) into a fresh
 * temporary folder, which it answers; the caller removes it.
 */
export async function buildDemoWeb(): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'hirechat-demo-web-'));
  await build({
    root: APP,
    configFile: path.join(APP, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
