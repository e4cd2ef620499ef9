import type { Request, ResponseToolkit, RouteOptions, Server } from '@hapi/hapi';
import {
  ASYNCAPI_DOCUMENT_PATH,
  asyncApiDocument,
  type JsonObject,
  OPENAPI_DOCUMENT_PATH,
  openApiDocument,
} from '@hirechat/protocol';
import { ChatError } from '../domain/chat-error.js';
import { NOT_AN_OPERATION } from '../hapi/route-table.js';
import type { Logger } from '../ports/logger.js';
import { DOCS_ASSETS_PATH, DOCS_PATH, DOCS_SCRIPT, docsPage } from './docs-page.js';
import { findRendererAssets, type RendererAssets } from './renderer-assets.js';

export interface DocsRoutesOptions {
  /** The documents' `info.version`. */
  version: string;
  /** Written into the documents' 413 answer. */
  maxUploadBytes: number;
  /** The plugin's CORS settings: tools on an allowed origin may fetch the documents. */
  cors: RouteOptions['cors'];
  logger: Logger;
  /** The renderer files; default: found where server-kit is installed. */
  renderers?: RendererAssets;
}

/**
 * Nothing on the page comes from anywhere but this server. Styles may be inline because both
 * renderers set style attributes; the AsyncAPI parser compiles JSON Schemas into functions.
 */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
].join('; ');

/**
 * Serves the API documents, generated from the protocol's schemas: `GET /openapi.json` (OpenAPI 3.1),
 * `GET /asyncapi.json` (AsyncAPI 3.0, its server the host the request came to) and `GET /docs`, a
 * page that renders both. None needs a token; none is an operation of the documents themselves.
 */
export function mountDocs(server: Server, options: DocsRoutesOptions): void {
  // Built at registration, so that a catalog the generators refuse fails there, not on a request.
  const openapi = JSON.stringify(
    openApiDocument({ version: options.version, maxUploadBytes: options.maxUploadBytes }),
  );
  const asyncapi = asyncApiDocument({ version: options.version, maxUploadBytes: options.maxUploadBytes });
  const renderers = options.renderers ?? findRendererAssets();
  if (renderers.missing.length > 0) {
    options.logger.info(
      { missing: renderers.missing },
      `${DOCS_PATH} links the API documents only: install the renderer packages to show them`,
    );
  }
  const page = docsPage(renderers.missing);
  const route: RouteOptions = { auth: false, cors: options.cors, plugins: NOT_AN_OPERATION };
  const showPage = (_request: Request, h: ResponseToolkit) =>
    h
      .response(page)
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', PAGE_CSP)
      .header('X-Content-Type-Options', 'nosniff');

  server.route([
    {
      method: 'GET',
      path: OPENAPI_DOCUMENT_PATH,
      options: route,
      handler: (_request, h) => h.response(openapi).type('application/json; charset=utf-8'),
    },
    {
      method: 'GET',
      path: ASYNCAPI_DOCUMENT_PATH,
      options: route,
      handler: (request, h) =>
        h.response(asServedTo(asyncapi, request)).type('application/json; charset=utf-8'),
    },
    { method: 'GET', path: DOCS_PATH, options: route, handler: showPage },
    { method: 'GET', path: `${DOCS_PATH}/`, options: route, handler: showPage },
    {
      method: 'GET',
      path: `${DOCS_ASSETS_PATH}{name}`,
      options: route,
      handler(request, h) {
        const name = String(request.params.name);
        if (name === 'docs.js' && renderers.missing.length === 0) {
          return h.response(DOCS_SCRIPT).type('text/javascript; charset=utf-8');
        }
        const file = renderers.files.get(name);
        if (!file) throw ChatError.notFound();
        return h.file(file, { confine: false }).header('X-Content-Type-Options', 'nosniff');
      },
    },
  ]);
}

/**
 * The AsyncAPI document with its server set to where this request came: its Host, and `wss` when
 * the request came over TLS or through a proxy that says it did (`X-Forwarded-Proto: https`).
 */
function asServedTo(document: JsonObject, request: Request): string {
  const servers = document.servers as Record<string, JsonObject>;
  const secure = request.server.info.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
  const host = request.info.host || 'localhost';
  return JSON.stringify({
    ...document,
    servers: Object.fromEntries(
      Object.entries(servers).map(([name, entry]) => [
        name,
        { ...entry, host, protocol: secure ? 'wss' : 'ws' },
      ]),
    ),
  });
}
