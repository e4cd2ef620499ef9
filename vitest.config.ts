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
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: [
            'packages/*/test/**/*.test.ts',
            'apps/*/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
            'test/**/*.test.ts',
          ],
        },
      },
      {
        // The server-kit's REST, WebSocket and domain suites again, over PostgreSQL: their servers
        // follow HIRECHAT_TEST_DATABASE, and each file gets a database of its own.
        extends: true,
        test: {
          name: 'postgres',
          include: ['packages/server-kit/test/{rest,ws,domain}/**/*.test.ts'],
          env: { HIRECHAT_TEST_DATABASE: 'postgres' },
          setupFiles: ['packages/server-kit/test/setup/postgres-database.ts'],
        },
      },
    ],
  },
});
