/** What a live room does when the device's network changes. */
export interface NetworkHandlers {
  offline(): void;
  online(): void;
}

/**
 * The `online`/`offline` event source of a browser (a window or a worker: `globalThis`, which has
 * `navigator.onLine`), or null elsewhere (Node, where no such events exist).
 */
export function browserNetwork(): EventTarget | null {
  const scope = globalThis as { addEventListener?: unknown; navigator?: { onLine?: unknown } };
  const isBrowser =
    typeof scope.addEventListener === 'function' && typeof scope.navigator?.onLine === 'boolean';
  return isBrowser ? (globalThis as unknown as EventTarget) : null;
}

/** Calls the handlers on the source's `online` and `offline` events; answers a function that stops. */
export function watchNetwork(source: EventTarget | null, handlers: NetworkHandlers): () => void {
  if (!source) return () => undefined;
  const offline = () => handlers.offline();
  const online = () => handlers.online();
  source.addEventListener('offline', offline);
  source.addEventListener('online', online);
  return () => {
    source.removeEventListener('offline', offline);
    source.removeEventListener('online', online);
  };
}
