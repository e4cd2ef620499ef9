import { ASYNCAPI_DOCUMENT_PATH, OPENAPI_DOCUMENT_PATH } from '@hirechat/protocol';

/** Where the page is, and where its files are. */
export const DOCS_PATH = '/docs';
export const DOCS_ASSETS_PATH = `${DOCS_PATH}/assets/`;

/**
 * The page's own script. Each tab loads its renderer the first time it is shown, and only the
 * shown tab's stylesheet is on, since the two renderers' styles would otherwise restyle each other.
 */
export const DOCS_SCRIPT = `'use strict';
const assets = ${JSON.stringify(DOCS_ASSETS_PATH)};
const views = {
  rest: {
    css: assets + 'swagger-ui.css',
    js: assets + 'swagger-ui.js',
    render: (node) =>
      window.SwaggerUIBundle({
        url: ${JSON.stringify(OPENAPI_DOCUMENT_PATH)},
        domNode: node,
        validatorUrl: null,
        defaultModelsExpandDepth: 0,
      }),
  },
  websocket: {
    css: assets + 'asyncapi.css',
    js: assets + 'asyncapi.js',
    render: (node) =>
      window.AsyncApiStandalone.render(
        { schema: { url: ${JSON.stringify(ASYNCAPI_DOCUMENT_PATH)}, options: { method: 'GET' } }, config: { show: { sidebar: true } } },
        node,
      ),
  },
};
const loaded = {};

function load(name) {
  const view = views[name];
  view.link = document.createElement('link');
  view.link.rel = 'stylesheet';
  view.link.href = view.css;
  document.head.append(view.link);
  const script = document.createElement('script');
  script.src = view.js;
  script.onload = () => view.render(document.getElementById(name));
  document.body.append(script);
  loaded[name] = true;
}

function show() {
  const current = location.hash === '#websocket' ? 'websocket' : 'rest';
  if (!loaded[current]) load(current);
  for (const name of Object.keys(views)) {
    document.getElementById(name).hidden = name !== current;
    document.querySelector('a[href="#' + name + '"]').setAttribute('aria-current', String(name === current));
    if (views[name].link) views[name].link.disabled = name !== current;
  }
}

// Swagger UI keeps the hash to itself once loaded (no hashchange reaches us), so the tabs say
// which view they show themselves.
for (const name of Object.keys(views)) {
  document.querySelector('a[href="#' + name + '"]').addEventListener('click', (event) => {
    event.preventDefault();
    history.replaceState(null, '', '#' + name);
    show();
  });
}
show();
`;

const STYLE = `body{margin:0;font-family:system-ui,sans-serif}
header{display:flex;gap:1.5rem;align-items:center;padding:.75rem 1.5rem;background:#1f2937;color:#fff}
header a{color:#d1d5db;text-decoration:none}header a[aria-current=true]{color:#fff;font-weight:600}
header .raw{margin-left:auto;font-size:.875rem}main>p{padding:0 1.5rem}`;

/**
 * The `/docs` page: a header with a tab per document and links to the raw documents, and the
 * rendered reference under it; or, when the renderer packages are not installed, the links and
 * what to install.
 */
export function docsPage(missing: readonly string[]): string {
  const body =
    missing.length === 0
      ? `<main><section id="rest"></section><section id="websocket" hidden></section></main>
<script src="${DOCS_ASSETS_PATH}docs.js" defer></script>`
      : `<main><p>The API documents are <a href="${OPENAPI_DOCUMENT_PATH}">${OPENAPI_DOCUMENT_PATH}</a> (REST, OpenAPI 3.1) and <a href="${ASYNCAPI_DOCUMENT_PATH}">${ASYNCAPI_DOCUMENT_PATH}</a> (WebSocket, AsyncAPI 3.0).</p>
<p>To read them here, install ${missing.map((name) => `<code>${name}</code>`).join(' and ')} beside <code>@hirechat/server-kit</code>.</p></main>`;
  const tabs =
    missing.length === 0 ? '<nav><a href="#rest">REST</a> <a href="#websocket">WebSocket</a></nav>' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hirechat API</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><strong>hirechat API</strong>${tabs}<span class="raw"><a href="${OPENAPI_DOCUMENT_PATH}">openapi.json</a> · <a href="${ASYNCAPI_DOCUMENT_PATH}">asyncapi.json</a></span></header>
${body}
</body>
</html>
`;
}
