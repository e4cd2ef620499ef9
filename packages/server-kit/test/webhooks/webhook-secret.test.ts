import { isWebhookSecret } from '@hirechat/server-kit';
import { describe, expect, it } from 'vitest';

/*
 * The plugin's `webhooks.secret`: the Standard Webhooks specification asks for a key "randomly
 * generated, between 24 bytes (192 bits) and 64 bytes (512 bits)". Issue: whsec_YQ== (1 byte) was
 * accepted, by the plugin and by the reference server.
 */

const secretOf = (bytes: number) => `whsec_${Buffer.alloc(bytes, 9).toString('base64')}`;

describe('webhooks.secret', () => {
  it.each([1, 23, 65])('refuses a key of %d bytes at registration, saying what it takes', async (bytes) => {
    const { startTestServer } = await import('@hirechat/server-kit/testing');
    await expect(
      startTestServer({
        database: { kind: 'sqlite' },
        webhooks: { urls: ['https://example.com/'], secret: secretOf(bytes) },
      }),
    ).rejects.toThrow(
      /"webhooks.secret" must be a Standard Webhooks secret, whsec_<base64> of 24 to 64 random bytes/,
    );
  });

  it.each([24, 64])('takes a key of %d bytes', (bytes) => {
    expect(isWebhookSecret(secretOf(bytes))).toBe(true);
  });

  it('refuses whsec_YQ==, the one-byte key of the report', () => {
    expect(isWebhookSecret('whsec_YQ==')).toBe(false);
  });
});
