import { boomify } from '@hapi/boom';
import type { Lifecycle, Request, ResponseToolkit, RouteOptions, Server, ServerRoute } from '@hapi/hapi';
import { NoQuerySchema } from '@hirechat/protocol';
import type { z } from 'zod';
import { ChatError } from '../domain/chat-error.js';
import { parseInput } from '../domain/parse-input.js';
import { UNREAD_BODY } from './body/read-form.js';
import { errorAnswer } from './error-response.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

declare module '@hapi/hapi' {
  interface PluginSpecificConfiguration {
    hirechat?: {
      /**
       * `false` on a route that answers for the API but is none of its operations (a 405, the
       * fallback 404, the API documents themselves): the documents leave it out, and their test
       * does not look for it. Every other route of the plugin must be in REST_OPERATIONS.
       */
      operation?: false;
    };
  }
}

/** Route `plugins` of a route that is no operation of the API (see `operation` above). */
export const NOT_AN_OPERATION = { hirechat: { operation: false } } as const;

/** One method of a path. */
export interface MethodRoute {
  /**
   * The schema of the query string. Default: the route takes none, so that any parameter is a
   * 400 naming it (README, "Input": every body and query is strict).
   */
  query?: z.ZodType;
  /** Called with the query as `query` parsed it. */
  handler(request: Request, h: ResponseToolkit, query: unknown): Lifecycle.ReturnValue;
  options?: RouteOptions;
}

/** A method whose handler takes the query that `schema` parses. */
export function withQuery<S extends z.ZodType>(
  schema: S,
  handler: (request: Request, h: ResponseToolkit, query: z.output<S>) => Lifecycle.ReturnValue,
): MethodRoute {
  return { query: schema, handler: (request, h, query) => handler(request, h, query as z.output<S>) };
}

export interface PathRoutes {
  /** The path as the contract spells it, trailing slash included. */
  path: string;
  /** Handlers by method. */
  methods: Partial<Record<Method, MethodRoute>>;
}

/**
 * The methods each path answers, as its `Allow` header says them, by each spelling of the path
 * (with and without its trailing slash, as `mountPaths` mounts them).
 */
function allowedMethods(table: PathRoutes[]): ReadonlyMap<string, string> {
  const allowed = new Map<string, string>();
  for (const { path, methods } of table) {
    for (const spelling of spellings(path)) allowed.set(spelling, Object.keys(methods).join(', '));
  }
  return allowed;
}

/** The contract answers each path the same with and without its trailing slash. */
function spellings(path: string): string[] {
  return path.endsWith('/') ? [path, path.slice(0, -1)] : [path];
}

/**
 * Mounts each path with and without its trailing slash (the contract answers both the same), and
 * answers any other method with 405 and an `Allow` header instead of Hapi's 404 (README, "Errors").
 *
 * The 405 route takes every method (`'*'`), so that TRACE, or a method Hapi has never heard of, is
 * a 405 as DELETE is. Hapi looks for `'*'` last, after its CORS preflight route: an OPTIONS
 * request still reaches the preflight, so an OPTIONS that is no preflight (see
 * `refuseOtherOptions`) is answered the same 405 before routing.
 */
export function mountPaths(server: Server, common: RouteOptions, table: PathRoutes[]): void {
  const allowed = allowedMethods(table);
  const routes: ServerRoute[] = [];
  for (const { path, methods } of table) {
    for (const spelling of spellings(path)) {
      for (const [method, route] of Object.entries(methods)) {
        routes.push({
          method: method as Method,
          path: spelling,
          handler: (request, h) =>
            route.handler(request, h, parseInput(route.query ?? NoQuerySchema, request.query)),
          options: { ...common, ...route.options },
        });
      }
      routes.push({
        method: '*',
        path: spelling,
        // No auth: a wrong method is wrong whoever asks, even under a host's default strategy.
        // The body of a request that is refused anyway is never read (see UNREAD_BODY).
        options: { cors: common.cors ?? false, auth: false, payload: UNREAD_BODY, plugins: NOT_AN_OPERATION },
        handler: (request) => {
          throw methodNotAllowed(request.method, allowed.get(spelling) ?? '');
        },
      });
    }
  }
  server.route(routes);
  refuseOtherOptions(server, allowed);
}

/**
 * An OPTIONS request without `Origin` or without `Access-Control-Request-Method` is no CORS
 * preflight, yet Hapi routes it to its preflight route, which refuses it with a 404. On a known
 * path it is a method the path does not serve: the contract's 405 with `Allow`. Done on
 * `onRequest`, before routing, since the preflight route belongs to whichever realm first
 * registered a CORS route, and the host's error shaping may run before the plugin's.
 */
function refuseOtherOptions(server: Server, allowed: ReadonlyMap<string, string>): void {
  server.ext('onRequest', (request, h) => {
    const { headers } = request;
    if (request.method !== 'options' || (headers.origin && headers['access-control-request-method'])) {
      return h.continue;
    }
    // Every known path has a route for GET, its own or the 405 one, whose path is the template.
    const allow = allowed.get(request.server.match('get', request.path, request.info.hostname)?.path ?? '');
    if (allow === undefined) return h.continue;
    return errorAnswer(h, boomify(methodNotAllowed(request.method, allow))).takeover();
  });
}

/**
 * The contract's 405 for `method` on a path that answers `allow` (comma-separated methods), which
 * `errorResponder` sends with the `Allow` header.
 */
export function methodNotAllowed(method: string, allow: string): ChatError {
  const error = ChatError.of('method_not_allowed', `Method "${method.toUpperCase()}" not allowed.`);
  return Object.assign(error, { data: { allow } });
}

/**
 * Answers any other path under the plugin's own prefixes with the contract's 404 `{"detail": ...}`.
 * Without it Hapi's own 404 body would answer, which the plugin's error shaping (sandboxed to the
 * plugin's routes) never sees. Paths outside these prefixes stay the host's.
 */
export function mountFallbacks(server: Server, prefixes: string[]): void {
  server.route(
    prefixes.map((prefix) => ({
      method: '*',
      path: `${prefix}{rest*}`,
      options: { auth: false, payload: UNREAD_BODY, plugins: NOT_AN_OPERATION },
      handler: () => {
        throw ChatError.notFound();
      },
    })),
  );
}
