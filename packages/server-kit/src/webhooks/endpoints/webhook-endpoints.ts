import { redactUrl } from '../../logging/redact-url.js';

/**
 * Which configured URL a queued delivery goes to. A delivery is queued with its URL whole, token
 * and all; rotating a token in the query (or changing any part redactUrl hides: credentials, query,
 * fragment) makes a new URL for the same endpoint. The endpoint is what redactUrl shows, and what
 * the log and `npm run webhooks -- failed` show: two URLs with the same endpoint are one
 * destination, and a delivery queued for one is sent to the one configured now.
 */
export class WebhookEndpoints {
  /** Endpoint to the configured URL; null when several configured URLs share it. */
  private readonly byEndpoint = new Map<string, string | null>();
  private readonly configured: ReadonlySet<string>;

  /** @param urls The URLs configured now (`webhooks.urls`). */
  constructor(urls: readonly string[]) {
    this.configured = new Set(urls);
    for (const url of this.configured) {
      const endpoint = redactUrl(url);
      this.byEndpoint.set(endpoint, this.byEndpoint.has(endpoint) ? null : url);
    }
  }

  /** The URLs configured now. */
  get urls(): string[] {
    return [...this.configured];
  }

  /**
   * The configured URL a delivery queued for `url` goes to: `url` itself when it is configured,
   * else the one configured URL with its endpoint. Null when none has it, or when several do (say
   * `?tenant=a` and `?tenant=b`: which one was meant cannot be told), so it is no longer configured.
   */
  targetOf(url: string): string | null {
    if (this.configured.has(url)) return url;
    return this.byEndpoint.get(redactUrl(url)) ?? null;
  }
}
