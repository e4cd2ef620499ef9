import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The files of the packages that render the documents in a browser, by the name the page asks for
 * under `/docs/assets/`. Both are optional peer dependencies of server-kit: an app that wants the
 * page installs them (the reference server does); without them `/docs` links the documents only.
 */
const RENDERER_FILES = {
  'swagger-ui-dist': {
    'swagger-ui.js': 'swagger-ui-bundle.js',
    'swagger-ui.css': 'swagger-ui.css',
  },
  '@asyncapi/react-component': {
    // The standalone bundle carries React and the AsyncAPI parser, which AsyncAPI 3.0 needs.
    'asyncapi.js': 'browser/standalone/index.js',
    'asyncapi.css': 'styles/default.min.css',
  },
} as const;

/** The renderer packages, for messages that tell what to install. */
export const RENDERER_PACKAGES = Object.keys(RENDERER_FILES) as Array<keyof typeof RENDERER_FILES>;

export interface RendererAssets {
  /** Absolute path of each file, by its name under `/docs/assets/`. Empty when a package is missing. */
  files: Map<string, string>;
  /** The renderer packages that could not be found. */
  missing: string[];
}

/**
 * Finds the renderer packages from where server-kit is installed, as Node would resolve them.
 *
 * @param resolve Resolves a module specifier to a file; tests pass one that finds nothing.
 */
export function findRendererAssets(
  resolve: (specifier: string) => string = createRequire(import.meta.url).resolve,
): RendererAssets {
  const files = new Map<string, string>();
  const missing: string[] = [];
  for (const [pkg, assets] of Object.entries(RENDERER_FILES)) {
    let root: string;
    try {
      root = path.dirname(resolve(`${pkg}/package.json`));
    } catch {
      missing.push(pkg);
      continue;
    }
    for (const [name, file] of Object.entries(assets)) files.set(name, path.join(root, file));
  }
  // One renderer without the other would leave half the page empty: serve both or neither.
  return missing.length > 0 ? { files: new Map(), missing } : { files, missing };
}
