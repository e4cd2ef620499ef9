import { access } from 'node:fs/promises';
import path from 'node:path';
import type { ResponseToolkit, Server } from '@hapi/hapi';
import inert from '@hapi/inert';
import type { Logger } from 'pino';

/** Vite's folder of hashed, content-named files (its default `build.assetsDir`). */
const ASSETS = 'assets';

/** Hashed names change with their content, so browsers may keep them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The page may load only its own files, and talk only to its own origin (REST, media and the
 * WebSocket: CSP Level 3 lets 'self' match ws:/wss: on the same host). Blob and data images are
 * for previews of picked files.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built demo web app from `dir`: its page at `/` and its files under `/assets/`. Only
 * these two paths: every other path (the API's `/chats/`, `/media/`, `/ws/`, `/healthz`, unknown
 * ones) answers exactly as without the app, since the app has no client-side routes.
 *
 * When `dir` holds no build (`index.html`), nothing is mounted and the log says how to build it.
 * Answers whether the app is served.
 */
export async function mountDemoWeb(server: Server, dir: string, logger: Logger): Promise<boolean> {
  const page = path.join(dir, 'index.html');
  try {
    await access(page);
  } catch {
    logger.warn(
      { dir },
      'the demo web app is not built, so / serves nothing: run `npm run build` (`npm start` does), or set DEMO_WEB=off',
    );
    return false;
  }
  // The hirechat plugin registers inert too; `once` makes the second registration a no-op.
  await server.register({ plugin: inert, once: true });
  const secure = (response: ReturnType<ResponseToolkit['file']>) =>
    response.header('X-Content-Type-Options', 'nosniff');
  server.route([
    {
      method: 'GET',
      path: '/',
      options: { auth: false },
      // Revalidated on every load, so that a new build's asset names are picked up at once.
      handler: (_request, h) =>
        secure(h.file(page, { confine: false }))
          .header('Cache-Control', 'no-cache')
          .header('Content-Security-Policy', CONTENT_SECURITY_POLICY),
    },
    {
      method: 'GET',
      path: `/${ASSETS}/{file*}`,
      options: { auth: false },
      // `confine` refuses any name that would leave the folder (`..`, absolute paths).
      handler: (request, h) =>
        secure(h.file(String(request.params.file), { confine: path.join(dir, ASSETS) })).header(
          'Cache-Control',
          IMMUTABLE,
        ),
    },
  ]);
  logger.info({ dir }, 'serving the demo web app at /');
  return true;
}
