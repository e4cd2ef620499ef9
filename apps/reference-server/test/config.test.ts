import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, demoWebBuildDir, loadConfig } from '../src/config.js';

const SECRET = 'a'.repeat(32);
const MEDIA_SECRET = 'm'.repeat(32);
const WEBHOOK_SECRET = `whsec_${Buffer.from('w'.repeat(32)).toString('base64')}`;
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/** The ConfigError that loadConfig throws for `env`; fails the test when it does not throw one. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('fills in every default from an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 8000,
      host: '0.0.0.0',
      dataDir: path.resolve('./data'),
      dataDirGiven: false,
      jwt: null,
      jwtRequireExp: true,
      maxUploadBytes: 10 * 1024 * 1024,
      allowedOrigins: '*',
      typingTimeoutMs: 5000,
      presenceTimeoutMs: 30_000,
      logLevel: 'info',
      databaseUrl: null,
      redisUrl: null,
      mediaUrlSecret: null,
      mediaUrlTtlS: 3600,
      demoWebDir: demoWebBuildDir(),
      apiDocs: true,
      // The contract's ceilings ("Limits"): 10 writes a second with bursts of 100, 50 frames per
      // 10 s per socket, 100 sockets per user.
      rateLimits: {
        restWrites: { perSecond: 10, burst: 100 },
        restReads: { perSecond: 20, burst: 200 },
        socketFrames: { points: 50, seconds: 10 },
        socketsPerUser: 100,
      },
      socketMaxBacklogBytes: 4 * 1024 * 1024,
      webhooks: null,
      unreadNotifyAfterS: 300,
    });
  });

  it('finds the demo web app where its workspace builds it', () => {
    expect(demoWebBuildDir()).toBe(path.resolve('apps/demo-web/dist'));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: '/tmp/hirechat-data',
      JWT_SECRET: SECRET,
      JWT_REQUIRE_EXP: 'False',
      MAX_UPLOAD_BYTES: '1024',
      ALLOWED_ORIGINS: 'https://app.example.com',
      TYPING_TIMEOUT_MS: '250',
      PRESENCE_TIMEOUT_MS: ' 4000 ',
      LOG_LEVEL: 'DEBUG',
      DATABASE_URL: 'postgres://chat:pw@db.internal:5432/hirechat',
      REDIS_URL: ' redis://cache.internal:6379/0 ',
      MEDIA_URL_SECRET: MEDIA_SECRET,
      MEDIA_URL_TTL_S: '600',
      DEMO_WEB: 'OFF',
      API_DOCS: 'off',
      RATE_LIMIT_WRITES_PER_S: '3',
      RATE_LIMIT_WRITES_BURST: '30',
      RATE_LIMIT_READS_PER_S: '4',
      RATE_LIMIT_READS_BURST: '40',
      RATE_LIMIT_FRAMES: '5',
      RATE_LIMIT_FRAMES_WINDOW_S: '6',
      RATE_LIMIT_SOCKETS_PER_USER: '7',
      SOCKET_MAX_BACKLOG_BYTES: '1048576',
    });
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      dataDir: '/tmp/hirechat-data',
      dataDirGiven: true,
      jwt: { secret: SECRET },
      jwtRequireExp: false,
      maxUploadBytes: 1024,
      allowedOrigins: ['https://app.example.com'],
      typingTimeoutMs: 250,
      presenceTimeoutMs: 4000,
      logLevel: 'debug',
      databaseUrl: 'postgres://chat:pw@db.internal:5432/hirechat',
      redisUrl: 'redis://cache.internal:6379/0',
      mediaUrlSecret: MEDIA_SECRET,
      mediaUrlTtlS: 600,
      demoWebDir: null,
      apiDocs: false,
      rateLimits: {
        restWrites: { perSecond: 3, burst: 30 },
        restReads: { perSecond: 4, burst: 40 },
        socketFrames: { points: 5, seconds: 6 },
        socketsPerUser: 7,
      },
      socketMaxBacklogBytes: 1_048_576,
      webhooks: null,
      unreadNotifyAfterS: 300,
    });
  });

  it.each(['off', ' OFF '])(
    'turns every rate limit off with RATE_LIMITS=%j, and keeps the backlog bound',
    (value) => {
      expect(loadConfig({ RATE_LIMITS: value, RATE_LIMIT_FRAMES: '5' })).toMatchObject({
        rateLimits: null,
        socketMaxBacklogBytes: 4 * 1024 * 1024,
      });
      expect(loadConfig({ RATE_LIMITS: 'on' }).rateLimits).not.toBeNull();
    },
  );

  it('refuses a burst no larger than its rate, naming both', () => {
    const error = configError({ RATE_LIMIT_WRITES_PER_S: '100', RATE_LIMIT_WRITES_BURST: '100' });
    expect(error.issues).toEqual([
      {
        variable: 'RATE_LIMIT_WRITES_BURST',
        message: 'must be larger than RATE_LIMIT_WRITES_PER_S (100), got 100',
      },
    ]);
    expect(configError({ RATE_LIMIT_READS_BURST: '20' }).issues).toEqual([
      {
        variable: 'RATE_LIMIT_READS_BURST',
        message: 'must be larger than RATE_LIMIT_READS_PER_S (20, its default), got 20',
      },
    ]);
  });

  it.each([
    ['WRITES', 'restWrites', 100],
    ['READS', 'restReads', 200],
  ])('lets an unset %s burst follow its rate', (kind, limit, burstDefault) => {
    const rate = (value: string) => loadConfig({ [`RATE_LIMIT_${kind}_PER_S`]: value }).rateLimits;
    // Ten seconds' worth of the rate, never below the default burst, at most the burst's greatest.
    expect(rate('2')?.[limit as 'restWrites']).toEqual({ perSecond: 2, burst: burstDefault });
    expect(rate('100')?.[limit as 'restWrites']).toEqual({ perSecond: 100, burst: 1000 });
    expect(rate('1000000')?.[limit as 'restWrites']).toEqual({ perSecond: 1_000_000, burst: 10_000_000 });
    // A burst that is set is kept as it is.
    expect(
      loadConfig({ [`RATE_LIMIT_${kind}_PER_S`]: '100', [`RATE_LIMIT_${kind}_BURST`]: '150' }).rateLimits?.[
        limit as 'restWrites'
      ],
    ).toEqual({ perSecond: 100, burst: 150 });
  });

  it.each(['on', ' On ', ''])('serves the demo web app with DEMO_WEB=%j', (value) => {
    expect(loadConfig({ DEMO_WEB: value }).demoWebDir).toBe(demoWebBuildDir());
  });

  it.each([
    ['on', true],
    ['OFF', false],
    ['true', true],
    [' false ', false],
    ['1', true],
    ['0', false],
  ])('reads API_DOCS=%j as %j', (value, apiDocs) => {
    expect(loadConfig({ API_DOCS: value }).apiDocs).toBe(apiDocs);
  });

  // Issue: WEBHOOK_DELIVER took on/off only, API_DOCS also true/false and 1/0, JWT_REQUIRE_EXP
  // true/false only. Every boolean setting takes the same words.
  const BOOLEANS: Array<[string, (config: ReturnType<typeof loadConfig>) => boolean]> = [
    ['DEMO_WEB', (config) => config.demoWebDir !== null],
    ['API_DOCS', (config) => config.apiDocs],
    ['RATE_LIMITS', (config) => config.rateLimits !== null],
    ['JWT_REQUIRE_EXP', (config) => config.jwtRequireExp],
    ['WEBHOOK_DELIVER', (config) => config.webhooks?.deliver === true],
  ];
  const WORDS: Array<[string, boolean]> = [
    ['on', true],
    ['OFF', false],
    ['true', true],
    [' False ', false],
    ['yes', true],
    ['No', false],
    ['1', true],
    ['0', false],
  ];
  it.each(
    BOOLEANS.flatMap(([variable, read]) =>
      WORDS.map(([word, value]) => [variable, word, value, read] as const),
    ),
  )('reads the boolean %s=%j as %j', (variable, word, value, read) => {
    const webhooks = { WEBHOOK_URLS: 'https://crm.example.com/hooks', WEBHOOK_SECRET: WEBHOOK_SECRET };
    expect(read(loadConfig({ ...webhooks, [variable]: word }))).toBe(value);
  });

  it('says the same words for every boolean setting it refuses', () => {
    const messages = BOOLEANS.map(([variable]) => configError({ [variable]: 'maybe' }).issues[0]?.message);
    expect(new Set(messages)).toEqual(
      new Set(['must be on or off (or true/false, yes/no, 1/0) (got "maybe")']),
    );
  });

  it('treats a blank variable as unset', () => {
    expect(
      loadConfig({ PORT: '', JWT_SECRET: ' ', ALLOWED_ORIGINS: '', DATABASE_URL: '', REDIS_URL: ' ' }),
    ).toMatchObject({
      port: 8000,
      jwt: null,
      allowedOrigins: '*',
      databaseUrl: null,
      redisUrl: null,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['HOST', '999.1.1.1'],
    ['HOST', '1.2.3'],
    ['HOST', 'my_host'],
    ['HOST', 'localhost.'],
    ['HOST', 'fe80::1%eth0'],
    ['HOST', 'http://localhost'],
    ['MAX_UPLOAD_BYTES', '0'],
    ['MAX_UPLOAD_BYTES', '10MB'],
    ['TYPING_TIMEOUT_MS', '-1'],
    ['PRESENCE_TIMEOUT_MS', '999'],
    ['PRESENCE_TIMEOUT_MS', '86400001'],
    ['PRESENCE_TIMEOUT_MS', '30s'],
    ['PRESENCE_TIMEOUT_MS', '1500.5'],
    ['LOG_LEVEL', 'verbose'],
    ['ALLOWED_ORIGINS', 'app.example.com'],
    ['ALLOWED_ORIGINS', 'https://app.example.com/chat'],
    ['ALLOWED_ORIGINS', 'ftp://files.example.com'],
    ['ALLOWED_ORIGINS', ' , '],
    ['JWT_SECRET', 'too-short'],
    ['JWT_PUBLIC_KEY', 'not a pem'],
    ['JWT_PUBLIC_KEY', privateKey],
    ['DATABASE_URL', 'mysql://localhost/hirechat'],
    ['DATABASE_URL', 'localhost:5432'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_URL', 'localhost:6379'],
    ['MEDIA_URL_SECRET', 'too-short'],
    ['MEDIA_URL_TTL_S', '0'],
    ['MEDIA_URL_TTL_S', '604801'],
    ['MEDIA_URL_TTL_S', '1h'],
    ['DEMO_WEB', 'maybe'],
    ['DEMO_WEB', 'enabled'],
    ['API_DOCS', 'maybe'],
    ['JWT_REQUIRE_EXP', 'y'],
    ['JWT_REQUIRE_EXP', '2'],
    ['RATE_LIMITS', 'disabled'],
    ['RATE_LIMIT_WRITES_PER_S', '1'],
    ['RATE_LIMIT_WRITES_PER_S', 'fast'],
    ['RATE_LIMIT_READS_BURST', '2.5'],
    ['RATE_LIMIT_FRAMES', '0'],
    ['RATE_LIMIT_FRAMES_WINDOW_S', '3601'],
    ['RATE_LIMIT_SOCKETS_PER_USER', '-1'],
    ['SOCKET_MAX_BACKLOG_BYTES', '1024'],
  ])('names %s in the error when it is %j', (variable, value) => {
    // A valid MEDIA_URL_SECRET, so that a JWT_PUBLIC_KEY (which requires one) is the only issue.
    const error = configError({ MEDIA_URL_SECRET: MEDIA_SECRET, [variable]: value });
    expect(error.issues.map((issue) => issue.variable)).toEqual([variable]);
    expect(error.message).toContain(`${variable}: `);
  });

  it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'chat-1.internal.example.com'])(
    'takes HOST=%s',
    (host) => {
      expect(loadConfig({ HOST: ` ${host} ` }).host).toBe(host);
    },
  );

  it('treats a blank PRESENCE_TIMEOUT_MS as unset, and takes its bounds', () => {
    expect(loadConfig({ PRESENCE_TIMEOUT_MS: ' ' }).presenceTimeoutMs).toBe(30_000);
    expect(loadConfig({ PRESENCE_TIMEOUT_MS: '1000' }).presenceTimeoutMs).toBe(1000);
    expect(loadConfig({ PRESENCE_TIMEOUT_MS: '86400000' }).presenceTimeoutMs).toBe(86_400_000);
  });

  it('says what PRESENCE_TIMEOUT_MS takes, and repeats the value given', () => {
    expect(configError({ PRESENCE_TIMEOUT_MS: '500' }).message).toBe(
      'Invalid configuration:\n' +
        '  PRESENCE_TIMEOUT_MS: must be a whole number of milliseconds from 1000 to 86400000 (a day) (got "500")',
    );
  });

  it('lists every bad variable at once, not only the first', () => {
    const error = configError({ PORT: 'x', LOG_LEVEL: 'loud', TYPING_TIMEOUT_MS: 'soon' });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'TYPING_TIMEOUT_MS',
    ]);
    expect(error.message).toMatch(/PORT: .*"x"/);
  });

  it('never echoes the value of a secret', () => {
    const error = configError({
      JWT_SECRET: 'hunter2',
      DATABASE_URL: 'postgres//u:pw-123@db/x',
      REDIS_URL: 'redis:/:pw-456@cache',
    });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'DATABASE_URL',
      'JWT_SECRET',
      'REDIS_URL',
    ]);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('pw-123');
    expect(error.message).not.toContain('pw-456');
  });

  it.each(['LOG_LEVEL', 'PORT', 'API_DOCS', 'TYPING_TIMEOUT_MS'])(
    'repeats a bad %s without the credentials it may hold',
    (variable) => {
      for (const value of ['https://u:PASSWORD123@app.example.com', 'u:PASSWORD123@app.example.com']) {
        const error = configError({ [variable]: value });
        expect(error.message).toContain(`${variable}: `);
        expect(error.message).toContain('app.example.com');
        expect(error.message).not.toMatch(/PASSWORD123/);
      }
    },
  );

  it.each([
    ['postgres://localhost/hirechat', 'redis://localhost'],
    ['postgresql://u:p@db:6432/chat?sslmode=require', 'rediss://:secret@cache.example.com:6380/2'],
  ])('takes DATABASE_URL %s and REDIS_URL %s', (database, redis) => {
    expect(loadConfig({ DATABASE_URL: database, REDIS_URL: redis })).toMatchObject({
      databaseUrl: database,
      redisUrl: redis,
    });
  });

  it('says which scheme a service URL should have, and which it has, without the rest', () => {
    const error = configError({
      DATABASE_URL: 'mysql://root:pw-123@db/x',
      REDIS_URL: 'memcached://:pw-456@cache',
    });
    expect(error.message).toContain('DATABASE_URL: must start with postgres:// or postgresql://');
    expect(error.message).toContain('(its scheme is "mysql:")');
    expect(error.message).toContain('REDIS_URL: must start with redis:// or rediss://');
    expect(error.message).not.toMatch(/pw-123|pw-456/);
  });

  it('refuses JWT_SECRET and JWT_PUBLIC_KEY together', () => {
    const error = configError({ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: publicKey });
    expect(error.message).toMatch(/JWT_SECRET, JWT_PUBLIC_KEY: set only one/);
  });

  it('takes a PEM public key with literal \\n escapes', () => {
    const escaped = publicKey.trim().replace(/\n/g, '\\n');
    expect(escaped).not.toContain('\n');
    expect(loadConfig({ JWT_PUBLIC_KEY: escaped, MEDIA_URL_SECRET: MEDIA_SECRET }).jwt).toEqual({
      publicKey: publicKey.trim(),
    });
  });

  describe('MEDIA_URL_SECRET', () => {
    it('is required with JWT_PUBLIC_KEY, which has no secret to derive it from', () => {
      const error = configError({ JWT_PUBLIC_KEY: publicKey });
      expect(error.issues.map((issue) => issue.variable)).toEqual(['MEDIA_URL_SECRET']);
      expect(error.message).toMatch(/MEDIA_URL_SECRET: is required with JWT_PUBLIC_KEY/);
    });

    it('is optional with JWT_SECRET or the development secret, and is then derived (null here)', () => {
      expect(loadConfig({ JWT_SECRET: SECRET }).mediaUrlSecret).toBeNull();
      expect(loadConfig({}).mediaUrlSecret).toBeNull();
    });

    it('must differ from JWT_SECRET, and is never echoed', () => {
      const error = configError({ JWT_SECRET: SECRET, MEDIA_URL_SECRET: SECRET });
      expect(error.issues.map((issue) => issue.variable)).toEqual(['MEDIA_URL_SECRET']);
      expect(error.message).toMatch(/must differ from JWT_SECRET/);
      expect(configError({ MEDIA_URL_SECRET: 'hunter2' }).message).not.toContain('hunter2');
    });

    it('names MEDIA_URL_TTL_S with the value it got', () => {
      expect(configError({ MEDIA_URL_TTL_S: 'soon' }).message).toMatch(/MEDIA_URL_TTL_S: .*"soon"/);
    });
  });

  describe('ALLOWED_ORIGINS', () => {
    it('splits on commas, trims, drops empty entries and duplicates', () => {
      expect(
        loadConfig({
          ALLOWED_ORIGINS: ' https://app.example.com ,http://localhost:3000,, https://app.example.com',
        }).allowedOrigins,
      ).toEqual(['https://app.example.com', 'http://localhost:3000']);
    });

    it('writes origins the way browsers send them', () => {
      expect(
        loadConfig({ ALLOWED_ORIGINS: 'HTTPS://App.Example.com/,https://x.example.com:443' }).allowedOrigins,
      ).toEqual(['https://app.example.com', 'https://x.example.com']);
    });

    it('takes * as any origin', () => {
      expect(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins).toBe('*');
    });

    it('names the bad entry', () => {
      expect(configError({ ALLOWED_ORIGINS: 'https://ok.example.com,nope' }).message).toContain('"nope"');
    });

    it.each([
      'https://u:PASSWORD123@app.example.com',
      'https://u:PASSWORD123@app.example.com/chat?key=PASSWORD123',
      'u:PASSWORD123@app.example.com',
    ])('never repeats the credentials of %s', (value) => {
      const error = configError({ ALLOWED_ORIGINS: `https://ok.example.com,${value}` });
      expect(error.issues.map((issue) => issue.variable)).toEqual(['ALLOWED_ORIGINS']);
      expect(error.message).toContain('app.example.com');
      expect(error.message).not.toMatch(/PASSWORD123|u:/);
    });
  });
});

/*
 * Issue: numbers accepted at start-up that broke things later (WEBHOOK_RETRY_HOURS=99999999999999:
 * every write on PostgreSQL a 500; UNREAD_NOTIFY_AFTER_S=99999999999999: a RangeError each scan),
 * and limit errors that did not say the limit (WEBHOOK_POLL_MS=3600001: "must be a positive whole
 * number"). Every numeric setting has a greatest value, and its error says it.
 */
describe('the limits of numeric settings', () => {
  // Each with its greatest value, and what else it needs to be accepted there.
  const LIMITS: Array<[string, number, NodeJS.ProcessEnv]> = [
    ['PORT', 65_535, {}],
    ['MAX_UPLOAD_BYTES', 1024 ** 3, {}],
    ['TYPING_TIMEOUT_MS', 86_400_000, {}],
    ['PRESENCE_TIMEOUT_MS', 86_400_000, {}],
    ['MEDIA_URL_TTL_S', 604_800, {}],
    ['RATE_LIMIT_WRITES_PER_S', 1_000_000, {}],
    ['RATE_LIMIT_WRITES_BURST', 10_000_000, {}],
    ['RATE_LIMIT_READS_PER_S', 1_000_000, {}],
    ['RATE_LIMIT_READS_BURST', 10_000_000, {}],
    ['RATE_LIMIT_FRAMES', 1_000_000, {}],
    ['RATE_LIMIT_FRAMES_WINDOW_S', 3_600, {}],
    ['RATE_LIMIT_SOCKETS_PER_USER', 1_000_000, {}],
    ['SOCKET_MAX_BACKLOG_BYTES', 1024 ** 3, {}],
    ['WEBHOOK_TIMEOUT_MS', 600_000, {}],
    ['WEBHOOK_RETRY_HOURS', 720, {}],
    ['WEBHOOK_RETRY_MIN_MS', 86_400_000, { WEBHOOK_RETRY_MAX_MS: '86400000' }],
    ['WEBHOOK_RETRY_MAX_MS', 604_800_000, {}],
    ['WEBHOOK_POLL_MS', 3_600_000, {}],
    ['UNREAD_NOTIFY_AFTER_S', 604_800, {}],
  ];
  const webhooks = { WEBHOOK_URLS: 'https://crm.example.com/hooks', WEBHOOK_SECRET };

  it('knows the limit of every numeric setting', () => {
    // A setting whose error for a word talks of a number is numeric: a new one must join LIMITS.
    const numeric = CONFIG_VARIABLES.filter((variable) => {
      try {
        loadConfig({ [variable]: 'several' });
        return false;
      } catch (error) {
        return error instanceof ConfigError && /number/.test(error.issues[0]?.message ?? '');
      }
    });
    expect(numeric.sort()).toEqual(LIMITS.map(([variable]) => variable).sort());
  });

  it.each(LIMITS)('takes %s up to %d, and refuses more saying so', (variable, max, needs) => {
    expect(() => loadConfig({ ...webhooks, ...needs, [variable]: String(max) })).not.toThrow();
    for (const over of [String(max + 1), '99999999999999']) {
      const [issue, ...others] = configError({ ...webhooks, ...needs, [variable]: over }).issues;
      expect(others).toEqual([]);
      expect(issue?.variable).toBe(variable);
      expect(issue?.message).toMatch(new RegExp(` ${max}( |$)`));
      expect(issue?.message).toContain(`(got "${over}")`);
    }
  });

  it.each([
    ['WEBHOOK_POLL_MS', '3600001', 'must be a whole number of milliseconds from 1 to 3600000 (an hour)'],
    [
      'WEBHOOK_RETRY_MAX_MS',
      '604800001',
      'must be a whole number of milliseconds from 1 to 604800000 (7 days)',
    ],
    ['WEBHOOK_RETRY_MIN_MS', '86400001', 'must be a whole number of milliseconds from 1 to 86400000 (a day)'],
    [
      'WEBHOOK_RETRY_HOURS',
      '99999999999999',
      'must be a number of hours above 0 and at most 720 (30 days) (fractions allowed)',
    ],
    [
      'UNREAD_NOTIFY_AFTER_S',
      '99999999999999',
      'must be a number of seconds above 0 and at most 604800 (a week) (fractions allowed)',
    ],
  ])('says the limits of %s=%s', (variable, value, message) => {
    expect(configError({ ...webhooks, [variable]: value }).issues).toEqual([
      { variable, message: `${message} (got "${value}")` },
    ]);
  });
});
