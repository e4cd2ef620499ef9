import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docsPage } from '../../src/docs/docs-page.js';
import { findRendererAssets, RENDERER_PACKAGES } from '../../src/docs/renderer-assets.js';

describe('the renderer packages of /docs', () => {
  it('are found where server-kit is installed, every file of them', () => {
    const { files, missing } = findRendererAssets();
    expect(missing).toEqual([]);
    expect([...files.keys()].sort()).toEqual([
      'asyncapi.css',
      'asyncapi.js',
      'swagger-ui.css',
      'swagger-ui.js',
    ]);
    for (const file of files.values()) expect(existsSync(file), file).toBe(true);
  });

  it('when one is not installed, none is served, and the page links the documents and names what to install', () => {
    const { files, missing } = findRendererAssets((specifier) => {
      if (specifier.startsWith('swagger-ui-dist/')) throw new Error('Cannot find module');
      return `/somewhere/${specifier}`;
    });
    expect(files.size).toBe(0);
    expect(missing).toEqual(['swagger-ui-dist']);
    const page = docsPage(missing);
    expect(page).toContain('href="/openapi.json"');
    expect(page).toContain('href="/asyncapi.json"');
    expect(page).toContain('<code>swagger-ui-dist</code>');
    expect(page).not.toContain('<script');
  });

  it('names every renderer package in the page when none is installed', () => {
    const page = docsPage(RENDERER_PACKAGES);
    for (const name of RENDERER_PACKAGES) expect(page).toContain(`<code>${name}</code>`);
  });
});
