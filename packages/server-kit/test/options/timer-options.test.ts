import { startTestServer, type TestServerOptions } from '@hirechat/server-kit/testing';
import { describe, expect, it } from 'vitest';

/*
 * Every duration option of the plugin becomes a timer's delay, and Node.js fires a timer whose
 * delay is past 2^31 - 1 ms after 1 ms instead (with only a warning): a ping interval of 2^31 would
 * ping every socket every millisecond, a hook timeout of 2^31 would fail every hook at once, a
 * request deadline of 2^31 would cut every request. Each is refused at registration, naming it and
 * the largest value.
 */

const TOO_LONG = 2 ** 31;

describe('duration options past the largest timer delay', () => {
  it.each<[string, Partial<TestServerOptions>]>([
    ['typingTimeoutMs', { typingTimeoutMs: TOO_LONG }],
    ['pingIntervalMs', { pingIntervalMs: TOO_LONG }],
    ['hooks.timeoutMs', { hooks: { timeoutMs: TOO_LONG } }],
    ['deadlines.headersMs', { deadlines: { headersMs: TOO_LONG } }],
    ['deadlines.handshakeMs', { deadlines: { handshakeMs: TOO_LONG } }],
  ])('refuse %s at registration', async (name, options) => {
    await expect(startTestServer({ database: { kind: 'sqlite' }, ...options })).rejects.toThrow(
      `"${name}" must be a whole number from 1 to 2147483647, got ${TOO_LONG}.`,
    );
  });

  it('take the largest delay itself', async () => {
    const server = await startTestServer({ database: { kind: 'sqlite' }, pingIntervalMs: TOO_LONG - 1 });
    const health = await fetch(`${server.url}/healthz`);
    await server.stop();
    expect(health.status).toBe(200);
  });
});
