import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logging.js';
import { createReferenceServer, type ReferenceServer } from '../src/server.js';

/*
 * The reference server's API documents, as its environment configures them: on by default, with
 * the page's renderers from its own dependencies; off with API_DOCS=off.
 */

const started: Array<{ app: ReferenceServer; dataDir: string }> = [];

afterEach(async () => {
  for (const { app, dataDir } of started.splice(0)) {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

async function start(env: NodeJS.ProcessEnv): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-docs-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...env });
  const app = await createReferenceServer(config, createLogger('silent').logger);
  started.push({ app, dataDir });
  await app.server.start();
  return `http://127.0.0.1:${app.server.info.port}`;
}

describe('API_DOCS', () => {
  it('serves both documents and the rendered /docs page by default', async () => {
    const url = await start({});
    for (const document of ['/openapi.json', '/asyncapi.json']) {
      const answer = await fetch(`${url}${document}`);
      expect(answer.status, document).toBe(200);
      expect(answer.headers.get('content-type'), document).toMatch(/^application\/json/);
    }
    expect(await (await fetch(`${url}/docs`)).text()).toContain('/docs/assets/docs.js');
    for (const asset of ['swagger-ui.js', 'swagger-ui.css', 'asyncapi.js', 'asyncapi.css']) {
      expect((await fetch(`${url}/docs/assets/${asset}`)).status, asset).toBe(200);
    }
  });

  it('serves none of them with API_DOCS=off, and answers their paths with the JSON 404', async () => {
    const url = await start({ API_DOCS: 'off' });
    for (const path of ['/openapi.json', '/asyncapi.json', '/docs', '/docs/assets/docs.js']) {
      const answer = await fetch(`${url}${path}`);
      expect(answer.status, path).toBe(404);
      expect(await answer.json(), path).toEqual({ detail: 'Not found.', code: 'not_found' });
    }
  });
});
