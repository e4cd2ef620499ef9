import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Package names point at their sources, so tests never need a build first.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@hirechat\/protocol$/, replacement: src('./packages/protocol/src/index.ts') },
      {
        find: /^@hirechat\/server-kit\/testing$/,
        replacement: src('./packages/server-kit/src/testing/index.ts'),
      },
      { find: /^@hirechat\/server-kit$/, replacement: src('./packages/server-kit/src/index.ts') },
      { find: /^@hirechat\/client-sdk$/, replacement: src('./packages/client-sdk/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
