import type { Lifecycle, Request, ResponseToolkit, RouteOptions, Server, ServerRoute } from '@hapi/hapi';
import { NoQuerySchema } from '@hirechat/protocol';
import type { z } from 'zod';
import { ChatError } from '../domain/chat-error.js';
import { parseInput } from '../domain/parse-input.js';
import { UNREAD_BODY } from './body/read-form.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

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
 * Mounts each path with and without its trailing slash (the contract answers both the same), and
 * answers any other method with 405 and an `Allow` header instead of Hapi's 404.
 */
export function mountPaths(server: Server, common: RouteOptions, table: PathRoutes[]): void {
  const routes: ServerRoute[] = [];
  for (const { path, methods } of table) {
    const spellings = path.endsWith('/') ? [path, path.slice(0, -1)] : [path];
    const allow = Object.keys(methods).join(', ');
    for (const spelling of spellings) {
      for (const [method, route] of Object.entries(methods)) {
        routes.push({
          method: method as Method,
          path: spelling,
          handler: (request, h) =>
            route.handler(request, h, parseInput(route.query ?? NoQuerySchema, request.query)),
          options: { ...common, ...route.options },
        });
      }
      // Named methods rather than '*', so that Hapi's CORS preflight (OPTIONS) keeps working.
      const others = METHODS.filter((method) => !(method in methods));
      if (others.length === 0) continue;
      const handler: Lifecycle.Method = (request) => {
        const error = ChatError.of(
          'method_not_allowed',
          `Method "${request.method.toUpperCase()}" not allowed.`,
        );
        throw Object.assign(error, { data: { allow } });
      };
      // No auth: a wrong method is wrong whoever asks, even under a host's default strategy.
      const options: RouteOptions = { cors: common.cors ?? false, auth: false, plugins: NOT_AN_OPERATION };
      if (others.includes('GET')) routes.push({ method: 'GET', path: spelling, options, handler });
      const withBody = others.filter((method) => method !== 'GET');
      if (withBody.length > 0) {
        // The body of a request that is refused anyway is never read (see UNREAD_BODY).
        routes.push({
          method: withBody,
          path: spelling,
          options: { ...options, payload: UNREAD_BODY },
          handler,
        });
      }
    }
  }
  server.route(routes);
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
