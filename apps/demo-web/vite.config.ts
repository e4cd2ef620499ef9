import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/** Where `npm start` runs the reference server; `npm run dev` here proxies the API to it. */
const SERVER = process.env.HIRECHAT_SERVER ?? 'http://localhost:8000';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The workspace packages' `source` export condition points at their src/: the app builds
    // (and the browser tests build it) without building the SDK first, as the tests need nothing
    // built. The SDK is still imported only through its public entry.
    conditions: ['@hirechat/source', ...defaultClientConditions],
  },
  build: {
    rollupOptions: {
      onwarn(warning, warn) {
        // zod places some `@__PURE__` comments where Rollup cannot use them; harmless, and not ours.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/zod/')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/chats/': SERVER,
      '/media/': SERVER,
      '/dev/': SERVER,
      '/ws/': { target: SERVER, ws: true },
    },
  },
});
