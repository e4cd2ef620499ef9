import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { Logger, WebhookOptions } from '@hirechat/server-kit';
import {
  startTestServer,
  startWebhookReceiver,
  type TestServer,
  type TestServerDatabase,
  type TestServerOptions,
  type WebhookReceiver,
} from '@hirechat/server-kit/testing';
import { afterEach } from 'vitest';

/** A Standard Webhooks secret, `whsec_` and 24 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

/** The databases each webhook suite runs on. */
export const DATABASES: ReadonlyArray<[string, TestServerDatabase]> = [
  ['SQLite', { kind: 'sqlite' }],
  ['PostgreSQL', { kind: 'postgres' } as TestServerDatabase],
];

/** Short enough that retries come within a test, long enough to tell one attempt from the next. */
export const FAST = {
  timeoutMs: 300,
  minRetryDelayMs: 40,
  maxRetryDelayMs: 400,
  pollIntervalMs: 20,
} as const;

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps its lines, for tests that wait for one. */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];
  private readonly written = new EventEmitter();

  info(fields: object, message = ''): void {
    this.write('info', fields, message);
  }
  warn(fields: object, message = ''): void {
    this.write('warn', fields, message);
  }
  error(fields: object, message = ''): void {
    this.write('error', fields, message);
  }

  async waitFor(match: (line: LogLine) => boolean): Promise<LogLine> {
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      await once(this.written, 'line');
    }
  }

  private write(level: LogLine['level'], fields: object, message: string): void {
    this.lines.push({ level, fields: fields as Record<string, unknown>, message });
    this.written.emit('line');
  }
}

/** A test server's options, with any webhook option of the world's overridden. */
export type WorldServerOptions = Omit<TestServerOptions, 'webhooks'> & { webhooks?: Partial<WebhookOptions> };

export interface WebhookWorld {
  receiver: WebhookReceiver;
  secret: string;
  /** Starts a server whose webhooks go to the receiver (more may be started, on the same database). */
  server(options?: WorldServerOptions): Promise<TestServer>;
}

/**
 * Registers the cleanup of a describe block and answers `start`: a receiver the test controls, and
 * servers on `database` sending it their webhooks, all stopped after each test.
 */
export function useWebhookWorld(database: TestServerDatabase): { start(): Promise<WebhookWorld> } {
  const receivers: WebhookReceiver[] = [];
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });
  return {
    async start() {
      const secret = newWebhookSecret();
      const receiver = await startWebhookReceiver(secret);
      receivers.push(receiver);
      return {
        receiver,
        secret,
        async server(options = {}) {
          const { webhooks, ...rest } = options;
          const server = await startTestServer({
            database,
            unread: false,
            ...rest,
            webhooks: { urls: [receiver.url], secret, ...FAST, ...webhooks },
          });
          servers.push(server);
          return server;
        },
      };
    },
  };
}
