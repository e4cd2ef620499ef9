import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const SECRET = `whsec_${Buffer.from('s'.repeat(24)).toString('base64')}`;

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((issue) => `${issue.variable}: ${issue.message}`);
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('webhook configuration', () => {
  it('sends no webhooks without WEBHOOK_URLS', () => {
    expect(loadConfig({}).webhooks).toBeNull();
  });

  it('reads every webhook variable, fractions of hours and seconds included', () => {
    const config = loadConfig({
      WEBHOOK_URLS: 'https://crm.example.com/hooks, http://127.0.0.1:9000/in ,',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_TIMEOUT_MS: '2500',
      WEBHOOK_RETRY_HOURS: '0.5',
      WEBHOOK_RETRY_MIN_MS: '100',
      WEBHOOK_RETRY_MAX_MS: '60000',
      WEBHOOK_POLL_MS: '250',
      WEBHOOK_DELIVER: 'OFF',
      UNREAD_NOTIFY_AFTER_S: '1.5',
    });
    expect(config.webhooks).toEqual({
      urls: ['https://crm.example.com/hooks', 'http://127.0.0.1:9000/in'],
      secret: SECRET,
      timeoutMs: 2500,
      retryHours: 0.5,
      minRetryDelayMs: 100,
      maxRetryDelayMs: 60_000,
      pollIntervalMs: 250,
      deliver: false,
    });
    expect(config.unreadNotifyAfterS).toBe(1.5);
  });

  it('fills in the contract defaults', () => {
    const config = loadConfig({ WEBHOOK_URLS: 'https://crm.example.com/hooks', WEBHOOK_SECRET: SECRET });
    expect(config.webhooks).toMatchObject({ timeoutMs: 5000, retryHours: 24, deliver: true });
    expect(config.unreadNotifyAfterS).toBe(300);
  });

  it('names every variable that is wrong, never repeating a URL or the secret', () => {
    const issues = problems({
      WEBHOOK_URLS: 'ftp://user:password@files.example.com/',
      WEBHOOK_SECRET: 'hunter2',
      WEBHOOK_TIMEOUT_MS: 'soon',
      WEBHOOK_RETRY_HOURS: '-1',
      WEBHOOK_DELIVER: 'elsewhere',
      UNREAD_NOTIFY_AFTER_S: '0',
    });
    expect(issues).toEqual([
      'WEBHOOK_URLS: entry 1 is not an http(s) URL',
      'WEBHOOK_SECRET: must be a Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes',
      'WEBHOOK_TIMEOUT_MS: must be a whole number of milliseconds from 1 to 600000 (10 minutes) (got "soon")',
      'WEBHOOK_RETRY_HOURS: must be a number of hours above 0 and at most 720 (30 days) (fractions allowed) (got "-1")',
      'WEBHOOK_DELIVER: must be on or off (or true/false, yes/no, 1/0) (got "elsewhere")',
      'UNREAD_NOTIFY_AFTER_S: must be a number of seconds above 0 and at most 604800 (a week) (fractions allowed) (got "0")',
    ]);
    expect(issues.join('\n')).not.toMatch(/password|hunter2/);
  });

  it('refuses a URL with a user and password, which fetch never sends, without repeating it', () => {
    const issues = problems({
      WEBHOOK_URLS: 'https://crm.example.com/hooks,http://user:hunter2@127.0.0.1:9011/hook',
      WEBHOOK_SECRET: SECRET,
    });
    expect(issues).toEqual([
      expect.stringMatching(
        /^WEBHOOK_URLS: entry 2 holds a user name or password, which deliveries never send/,
      ),
    ]);
    expect(issues.join('\n')).not.toContain('hunter2');
  });

  it('refuses a least retry delay above the greatest, naming both', () => {
    expect(
      problems({
        WEBHOOK_URLS: 'https://crm.example.com/hooks',
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_RETRY_MAX_MS: '10',
      }),
    ).toEqual([
      'WEBHOOK_RETRY_MIN_MS, WEBHOOK_RETRY_MAX_MS: WEBHOOK_RETRY_MIN_MS (5000) must not be larger than WEBHOOK_RETRY_MAX_MS (10)',
    ]);
  });

  // Issue: whsec_YQ== (a key of 1 byte) was taken. The Standard Webhooks specification asks for
  // keys of 24 to 64 bytes.
  it.each([1, 23, 65, 128])('refuses a WEBHOOK_SECRET of %d bytes, without repeating it', (bytes) => {
    const secret = `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
    const issues = problems({ WEBHOOK_URLS: 'https://crm.example.com/hooks', WEBHOOK_SECRET: secret });
    expect(issues).toEqual([
      'WEBHOOK_SECRET: must be a Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes',
    ]);
  });

  it.each([24, 32, 64])('takes a WEBHOOK_SECRET of %d bytes', (bytes) => {
    const secret = `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
    const config = loadConfig({ WEBHOOK_URLS: 'https://crm.example.com/hooks', WEBHOOK_SECRET: secret });
    expect(config.webhooks?.secret).toBe(secret);
  });

  it('asks for WEBHOOK_SECRET with WEBHOOK_URLS', () => {
    expect(problems({ WEBHOOK_URLS: 'https://crm.example.com/hooks' })).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET: is required with WEBHOOK_URLS/),
    ]);
  });
});
