import type { Lifecycle, RouteOptions, Server, ServerRoute } from '@hapi/hapi';
import { ChatError } from '../domain/chat-error.js';

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

export interface PathRoutes {
  /** The path as the contract spells it, trailing slash included. */
  path: string;
  /** Handlers by method. */
  methods: Partial<Record<Method, { handler: Lifecycle.Method; options?: RouteOptions }>>;
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
          handler: route.handler,
          options: { ...common, ...route.options },
        });
      }
      // Named methods rather than '*', so that Hapi's CORS preflight (OPTIONS) keeps working.
      const others = METHODS.filter((method) => !(method in methods));
      if (others.length === 0) continue;
      routes.push({
        method: others,
        path: spelling,
        // No auth: a wrong method is wrong whoever asks, even under a host's default strategy.
        options: { cors: common.cors ?? false, auth: false, plugins: NOT_AN_OPERATION },
        handler: (request) => {
          const error = ChatError.of(
            'method_not_allowed',
            `Method "${request.method.toUpperCase()}" not allowed.`,
          );
          throw Object.assign(error, { data: { allow } });
        },
      });
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
      options: { auth: false, plugins: NOT_AN_OPERATION },
      handler: () => {
        throw ChatError.notFound();
      },
    })),
  );
}
