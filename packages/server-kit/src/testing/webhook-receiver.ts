import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebhookEvent, WebhookEventSchema, WebhookHeaders } from '@hirechat/protocol';
import { Webhook } from 'standardwebhooks';

/** How the receiver answers: a status, or `hang` (reads the request and never answers). */
export type ReceiverAnswer = number | 'hang';

/** One request the receiver got. */
export interface ReceivedWebhook {
  /** `webhook-id`, `webhook-timestamp` and `webhook-signature`, as sent. */
  headers: Record<string, string>;
  /** The path and query it was sent to (`/hooks?token=...`): which of the URLs it came by. */
  path: string;
  /** The body exactly as it came. */
  body: string;
  /** Whether the standardwebhooks package's own `verify` accepted it with the receiver's secret. */
  verified: boolean;
  /** The body as the protocol reads it (null when it is not a webhook event). */
  event: WebhookEvent | null;
  /** What the receiver answered. */
  answer: ReceiverAnswer;
  /** When it came (Unix ms). */
  at: number;
}

/**
 * A real HTTP receiver of webhooks for tests, on 127.0.0.1, whose answers the test controls:
 * `answer = 200 | 500 | 'hang'`, or `stop()` so that connections are refused, and `start()` again
 * on the same port. Every request is kept, with whether it verified.
 */
export class WebhookReceiver {
  /** Every request so far, in order. */
  readonly received: ReceivedWebhook[] = [];
  /** How it answers the next requests. Default 200. */
  answer: ReceiverAnswer = 200;
  private server: Server | null = null;
  private readonly verifier: Webhook;
  private readonly arrivals = new EventEmitter();
  private readonly hanging = new Set<ServerResponse>();
  private portNumber = 0;

  constructor(readonly secret: string) {
    this.verifier = new Webhook(secret);
    this.arrivals.setMaxListeners(0);
  }

  get port(): number {
    return this.portNumber;
  }

  /** `http://127.0.0.1:<port>/hooks` */
  get url(): string {
    return `http://127.0.0.1:${this.portNumber}/hooks`;
  }

  /** Listens: on a free port the first time, on the same port after a stop. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((request, response) => void this.handle(request, response));
    server.listen(this.portNumber, '127.0.0.1');
    await once(server, 'listening');
    this.portNumber = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening, so that connections are refused, and drops connections held open. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The events received (verified or not), in order. */
  get events(): WebhookEvent[] {
    return this.received.flatMap((request) => (request.event ? [request.event] : []));
  }

  /** Resolves with the first request that matches, waiting for it if need be. */
  async waitFor(match: (request: ReceivedWebhook) => boolean): Promise<ReceivedWebhook> {
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      await once(this.arrivals, 'request');
    }
  }

  /** Resolves once `count` requests match. */
  async waitForCount(count: number, match: (request: ReceivedWebhook) => boolean = () => true) {
    for (;;) {
      const found = this.received.filter(match);
      if (found.length >= count) return found;
      await once(this.arrivals, 'request');
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const name of Object.values(WebhookHeaders)) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    let verified = false;
    try {
      this.verifier.verify(body, headers);
      verified = true;
    } catch {}
    let event: WebhookEvent | null = null;
    try {
      const parsed = WebhookEventSchema.safeParse(JSON.parse(body));
      if (parsed.success) event = parsed.data;
    } catch {}
    const answer = this.answer;
    this.received.push({ headers, path: request.url ?? '', body, verified, event, answer, at: Date.now() });
    this.arrivals.emit('request');
    if (answer === 'hang') {
      this.hanging.add(response);
      response.on('close', () => this.hanging.delete(response));
      return;
    }
    response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
  }
}

/** A receiver listening on a free port, verifying with `secret` (`whsec_...`). */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const receiver = new WebhookReceiver(secret);
  await receiver.start();
  return receiver;
}
