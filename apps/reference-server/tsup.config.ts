import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/token-cli.ts', 'src/webhooks/webhooks-cli.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
