import { randomBytes } from 'node:crypto';
import {
  createSqliteKnex,
  KnexDeliveryQueue,
  WebhookDeliverer,
  type WebhookOptions,
} from '@hirechat/server-kit';
import { describe, expect, it } from 'vitest';
import { MediaUrls } from '../../src/domain/media-urls.js';
import { WebhookSender } from '../../src/webhooks/webhook-sender.js';
import { createRoom, newUser } from '../rest/http.js';
import { newWebhookSecret, RecordingLogger, useWebhookWorld } from './support.js';

/*
 * Webhook URLs hold secrets (a `?token=`, a password), and the README promises they are never
 * echoed: not in the log lines of deliveries that fail, not in the errors recorded for them, not in
 * the errors of bad options. URLs fetch can never send (with a user and password) and a backoff
 * whose least delay is above its greatest are refused when the options are read. Real receivers,
 * real fetch, a real queue.
 */

const world = useWebhookWorld({ kind: 'sqlite' });

/** Constructs a deliverer with `webhooks`, over a queue it never gets to read; returns its error. */
function refusal(webhooks: Partial<WebhookOptions>): string {
  const knex = createSqliteKnex(':memory:');
  try {
    new WebhookDeliverer({
      queue: new KnexDeliveryQueue(knex),
      webhooks: { urls: ['http://127.0.0.1:9/hooks'], secret: newWebhookSecret(), ...webhooks },
      mediaUrlSecret: randomBytes(32),
    });
  } catch (error) {
    return (error as Error).message;
  } finally {
    void knex.destroy();
  }
  throw new Error('the options were accepted');
}

describe('webhook URLs holding secrets', () => {
  it('are logged without their query when a delivery fails', async () => {
    const { receiver, server } = await world.start();
    const logger = new RecordingLogger();
    await receiver.stop();
    const ts = await server({ logger, webhooks: { urls: [`${receiver.url}?token=SECRETQ`] } });
    const recruiter = newUser(ts);
    await createRoom(recruiter, recruiter, [newUser(ts)]);

    const line = await logger.waitFor((l) => l.message === 'webhook not delivered');
    expect(line.fields.url).toBe(receiver.url);
    expect(JSON.stringify(logger.lines)).not.toContain('SECRETQ');
  });

  it('are not repeated in the error an attempt records, which an HTTP client may quote whole', async () => {
    const sender = new WebhookSender({
      secret: newWebhookSecret(),
      timeoutMs: 2_000,
      media: new MediaUrls({ secret: randomBytes(32) }),
    });
    const outcome = await sender.send({
      id: 1,
      eventId: 'msg_0123456789abcdef0123456789abcdef',
      // What an older version let through (start-up refuses it now).
      url: 'http://user:SECRETP@127.0.0.1:9/hooks?token=SECRETQ',
      payload: JSON.stringify({ type: 'room.created', timestamp: new Date().toISOString(), data: {} }),
      attempt: 1,
      retryUntil: Date.now() + 60_000,
    });
    expect(outcome.ok).toBe(false);
    const error = outcome.ok ? '' : outcome.error;
    expect(error).toContain('ECONNREFUSED');
    expect(error).not.toMatch(/SECRETP|SECRETQ|user/);
  });

  it('are not repeated in the error of an option that is wrong', () => {
    const message = refusal({ urls: ['ftp://user:SECRETP@files.example.com/in?token=SECRETQ'] });
    expect(message).toBe('hirechat: "webhooks.urls[0]" is not an http(s) URL.');
  });

  it('are refused with a user and password, which fetch never sends', () => {
    expect(refusal({ urls: ['http://user:pw@127.0.0.1:9/hooks'] })).toMatch(
      /^hirechat: "webhooks\.urls\[0\]" holds a user name or password, which deliveries never send/,
    );
  });
});

describe('the retry backoff', () => {
  it('is refused with a least delay above its greatest', () => {
    expect(refusal({ minRetryDelayMs: 5_000, maxRetryDelayMs: 10 })).toBe(
      'hirechat: "webhooks.minRetryDelayMs" (5000) must not be larger than "webhooks.maxRetryDelayMs" (10).',
    );
  });
});
