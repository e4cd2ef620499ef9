import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_MEDIA_URL_TTL_S,
  DEFAULT_TYPING_TIMEOUT_MS,
} from '@hirechat/protocol';
import {
  DEFAULT_MAX_SOCKET_BACKLOG_BYTES,
  DEFAULT_PRESENCE_TIMEOUT_MS,
  DEFAULT_RATE_LIMITS as RATE_LIMIT_DEFAULTS,
  type RateLimitOptions,
  redactUrlsIn,
} from '@hirechat/server-kit';
import { z } from 'zod';
import { switchSetting, unsetIfBlank, wholeNumber, withDefault } from './env-values.js';
import { hostSchema } from './listen-address.js';
import {
  unreadNotifyAfterS,
  WEBHOOK_ECHOABLE,
  WEBHOOK_ENV,
  type WebhookConfig,
  webhookConfig,
  webhookIssues,
} from './webhooks/webhook-config.js';

/** pino's level names; `silent` turns logging off (handy in tests). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How tokens are verified: a shared HS256 secret, or the issuer's RS256/ES256 public key. */
export type JwtKey = { secret: string } | { publicKey: string };

/** The reference server's settings, read from the environment once at start-up. */
export interface ReferenceServerConfig {
  port: number;
  host: string;
  /** Absolute. Holds `hirechat.sqlite`, the uploaded files under `media/`, and the dev secret. */
  dataDir: string;
  /** Whether DATA_DIR was set, rather than `./data` taken by default. */
  dataDirGiven: boolean;
  /** Null when neither JWT_SECRET nor JWT_PUBLIC_KEY is set: a development secret is used instead. */
  jwt: JwtKey | null;
  /** JWT_REQUIRE_EXP: refuse tokens without an `exp` claim (default true). */
  jwtRequireExp: boolean;
  maxUploadBytes: number;
  /** `'*'` when ALLOWED_ORIGINS is unset: any origin may call REST and open sockets. */
  allowedOrigins: string[] | '*';
  typingTimeoutMs: number;
  /**
   * PRESENCE_TIMEOUT_MS: how long, in milliseconds, the users of a process that died stay online
   * for the other processes (with REDIS_URL; in process, a user leaves as their last socket closes).
   */
  presenceTimeoutMs: number;
  logLevel: LogLevel;
  /** PostgreSQL (`postgres://...`) instead of the SQLite file in `dataDir`; null for SQLite. */
  databaseUrl: string | null;
  /** Redis (`redis://...`) for events, typing and presence shared by every process; null for in process. */
  redisUrl: string | null;
  /**
   * Key of the signatures of media URLs (MEDIA_URL_SECRET). Null: derived from the JWT secret
   * (JWT_SECRET, or the development secret), which every process shares already. Never null with
   * JWT_PUBLIC_KEY, which gives nothing secret to derive it from.
   */
  mediaUrlSecret: string | null;
  /** Least lifetime of a message's `file_url`, in seconds (MEDIA_URL_TTL_S). */
  mediaUrlTtlS: number;
  /**
   * Folder of the built demo web app (`apps/demo-web/dist`), served at `/`; null when DEMO_WEB is
   * `off`. Absolute.
   */
  demoWebDir: string | null;
  /** Serve `/openapi.json`, `/asyncapi.json` and the `/docs` page (API_DOCS, default on). */
  apiDocs: boolean;
  /** The per-user limits (RATE_LIMIT_*); null when RATE_LIMITS=off. */
  rateLimits: RateLimitSettings | null;
  /** A socket whose unsent backlog passes this many bytes is closed with 1013 (SOCKET_MAX_BACKLOG_BYTES). */
  socketMaxBacklogBytes: number;
  /** Outgoing webhooks (WEBHOOK_URLS and the other WEBHOOK_ variables); null without WEBHOOK_URLS. */
  webhooks: WebhookConfig | null;
  /** UNREAD_NOTIFY_AFTER_S: when a participant who missed a message is told (`message.unread`). */
  unreadNotifyAfterS: number;
}

/** The limits of the contract's "Limits" section, as the plugin's `limits` option takes them. */
export type RateLimitSettings = Required<
  Pick<RateLimitOptions, 'restWrites' | 'restReads' | 'socketFrames' | 'socketsPerUser'>
>;

/** A problem with one environment variable. */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Thrown by loadConfig; its message lists every bad variable, one per line. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(
      `Invalid configuration:\n${issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Values of these may be echoed back in an error, without credentials. The others may hold secrets
 * (a JWT secret, a password inside a database URL), so their values never appear in a message or a
 * log. ALLOWED_ORIGINS is not here: its message names the bad entry alone.
 */
const ECHOABLE = new Set([
  'PORT',
  'HOST',
  'MAX_UPLOAD_BYTES',
  'TYPING_TIMEOUT_MS',
  'PRESENCE_TIMEOUT_MS',
  'LOG_LEVEL',
  'MEDIA_URL_TTL_S',
  'DEMO_WEB',
  'API_DOCS',
  'JWT_REQUIRE_EXP',
  'RATE_LIMITS',
  'RATE_LIMIT_WRITES_PER_S',
  'RATE_LIMIT_WRITES_BURST',
  'RATE_LIMIT_READS_PER_S',
  'RATE_LIMIT_READS_BURST',
  'RATE_LIMIT_FRAMES',
  'RATE_LIMIT_FRAMES_WINDOW_S',
  'RATE_LIMIT_SOCKETS_PER_USER',
  'SOCKET_MAX_BACKLOG_BYTES',
  ...WEBHOOK_ECHOABLE,
]);

/**
 * `value` as an error may repeat it: every URL without its user, password and query, and any other
 * `user:password@` dropped, since even a setting that holds no secret may be given one by mistake.
 */
function withoutCredentials(value: string): string {
  return redactUrlsIn(value).replace(/[^\s,"]*@/g, '…@');
}

/** PEMs rarely survive a .env file or a CI secret with their newlines, so `\n` escapes are allowed. */
const pemSchema = z
  .string()
  .transform((value) => value.replace(/\\n/g, '\n').trim())
  .superRefine((pem, ctx) => {
    if (/PRIVATE KEY/.test(pem)) {
      // A private key here would work (node derives the public half) but means the signing key was
      // copied onto the chat server, which should only ever be able to verify.
      ctx.addIssue({ code: 'custom', message: 'is a private key; give the PEM of the public key instead' });
      return;
    }
    try {
      createPublicKey(pem);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'is not a PEM public key (expected "-----BEGIN PUBLIC KEY-----" ...)',
      });
    }
  });

/** Sockets and CORS compare against the browser's Origin header, which is exactly `scheme://host[:port]`. */
const originsSchema = z.string().transform((value, ctx): string[] | '*' => {
  if (value.trim() === '*') return '*';
  const origins: string[] = [];
  let bad = false;
  for (const entry of value.split(',')) {
    const candidate = entry.trim();
    if (candidate === '') continue;
    let url: URL | null = null;
    try {
      url = new URL(candidate);
    } catch {}
    const bare =
      url !== null &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.pathname === '/' &&
      url.search === '' &&
      url.hash === '';
    if (url && (url.username !== '' || url.password !== '')) {
      bad = true;
      ctx.addIssue({
        code: 'custom',
        message: `"${withoutCredentials(candidate)}" must not hold a user or password; give the origin alone`,
      });
      continue;
    }
    if (!url || !bare) {
      bad = true;
      ctx.addIssue({
        code: 'custom',
        message: `"${withoutCredentials(candidate)}" is not an origin like https://app.example.com or http://localhost:3000`,
      });
      continue;
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  if (origins.length === 0 && !bad) {
    ctx.addIssue({ code: 'custom', message: 'lists no origins; unset it to allow any origin' });
  }
  return origins;
});

/**
 * A URL with one of `protocols`. Only the scheme is checked here; whether the host answers is
 * learnt at start-up. Messages never repeat the value, which may carry a password.
 */
const serviceUrl = (protocols: readonly string[], example: string) =>
  z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      let protocol: string;
      try {
        protocol = new URL(value).protocol;
      } catch {
        ctx.addIssue({ code: 'custom', message: `is not a URL; expected one like ${example}` });
        return;
      }
      const known = protocols.includes(protocol);
      if (!known || !value.toLowerCase().startsWith(`${protocol}//`)) {
        // The scheme alone is safe to repeat, and usually the whole mistake (mysql://, http://).
        ctx.addIssue({
          code: 'custom',
          message:
            `must start with ${protocols.map((p) => `${p}//`).join(' or ')}, e.g. ${example}` +
            (known ? '' : ` (its scheme is "${protocol}")`),
        });
      }
    });

/** Greatest MAX_UPLOAD_BYTES: a GiB. */
const MAX_UPLOAD_BYTES_LIMIT = 1024 * 1024 * 1024;
/** Greatest SOCKET_MAX_BACKLOG_BYTES: a GiB. */
const SOCKET_MAX_BACKLOG_BYTES_LIMIT = 1024 * 1024 * 1024;

/** Greatest RATE_LIMIT_WRITES_BURST and RATE_LIMIT_READS_BURST. */
const MAX_BURST = 10_000_000;

/**
 * The burst of a REST limit whose RATE_LIMIT_*_BURST is unset: ten seconds' worth of its rate (as
 * the defaults are), and never less than the default burst, so that raising a rate alone works.
 * At most MAX_BURST, which is ten times the greatest rate: always more than the rate.
 */
function defaultBurst(burstDefault: number, perSecond: number): number {
  return Math.min(Math.max(burstDefault, 10 * perSecond), MAX_BURST);
}

/** A REST limit from its two variables, each undefined when unset. */
function restLimit(
  perSecond: number | undefined,
  burst: number | undefined,
  defaults: { perSecond: number; burst: number },
): { perSecond: number; burst: number } {
  const rate = perSecond ?? defaults.perSecond;
  return { perSecond: rate, burst: burst ?? defaultBurst(defaults.burst, rate) };
}

/** Least PRESENCE_TIMEOUT_MS: see its schema. */
export const MIN_PRESENCE_TIMEOUT_MS = 1_000;

const EnvSchema = z.object({
  PORT: withDefault(wholeNumber(0, 65_535, null)),
  HOST: withDefault(hostSchema),
  DATA_DIR: withDefault(z.string().trim()),
  DATABASE_URL: withDefault(
    serviceUrl(['postgres:', 'postgresql:'], 'postgres://user:password@localhost:5432/hirechat'),
  ),
  REDIS_URL: withDefault(serviceUrl(['redis:', 'rediss:'], 'redis://localhost:6379')),
  // RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits.
  JWT_SECRET: withDefault(z.string().min(32, 'must be at least 32 characters long')),
  JWT_PUBLIC_KEY: withDefault(pemSchema),
  JWT_REQUIRE_EXP: withDefault(switchSetting),
  // The body of a create is held in memory whole before it is stored.
  MAX_UPLOAD_BYTES: withDefault(wholeNumber(1, MAX_UPLOAD_BYTES_LIMIT, 'bytes', 'a GiB')),
  ALLOWED_ORIGINS: withDefault(originsSchema),
  TYPING_TIMEOUT_MS: withDefault(wholeNumber(1, 24 * 60 * 60 * 1000, 'milliseconds', 'a day')),
  // Each process renews its lease every 0.3 × this over Redis, whose commands time out after a
  // second: a shorter timeout would take live processes for dead whenever Redis is slow.
  PRESENCE_TIMEOUT_MS: withDefault(
    wholeNumber(MIN_PRESENCE_TIMEOUT_MS, 24 * 60 * 60 * 1000, 'milliseconds', 'a day'),
  ),
  // RFC 2104 §3: an HMAC-SHA256 key should be at least as long as the hash, 256 bits.
  MEDIA_URL_SECRET: withDefault(z.string().min(32, 'must be at least 32 characters long')),
  // As S3 and GCS signed URLs, at most a week.
  MEDIA_URL_TTL_S: withDefault(wholeNumber(1, 7 * 24 * 60 * 60, 'seconds', 'a week')),
  LOG_LEVEL: withDefault(
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)),
  ),
  DEMO_WEB: withDefault(switchSetting),
  API_DOCS: withDefault(switchSetting),
  RATE_LIMITS: withDefault(switchSetting),
  RATE_LIMIT_WRITES_PER_S: withDefault(wholeNumber(2, 1_000_000, 'requests')),
  RATE_LIMIT_WRITES_BURST: withDefault(wholeNumber(3, MAX_BURST, 'requests')),
  RATE_LIMIT_READS_PER_S: withDefault(wholeNumber(2, 1_000_000, 'requests')),
  RATE_LIMIT_READS_BURST: withDefault(wholeNumber(3, MAX_BURST, 'requests')),
  RATE_LIMIT_FRAMES: withDefault(wholeNumber(1, 1_000_000, 'frames')),
  RATE_LIMIT_FRAMES_WINDOW_S: withDefault(wholeNumber(1, 3_600, 'seconds', 'an hour')),
  RATE_LIMIT_SOCKETS_PER_USER: withDefault(wholeNumber(1, 1_000_000, 'sockets')),
  // Each socket may hold this much in memory: a few sockets past a GiB each is a server out of memory.
  SOCKET_MAX_BACKLOG_BYTES: withDefault(
    wholeNumber(64 * 1024, SOCKET_MAX_BACKLOG_BYTES_LIMIT, 'bytes', 'a GiB'),
  ),
  ...WEBHOOK_ENV,
});

/** Every environment variable the reference server reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/**
 * Reads the reference server's settings from `env`. Pure apart from resolving DATA_DIR against the
 * working directory: it never touches `process.env` itself, so tests pass whatever they like.
 *
 * @throws ConfigError naming every variable that is wrong, not just the first.
 */
export function loadConfig(env: NodeJS.ProcessEnv): ReferenceServerConfig {
  const issues: ConfigIssue[] = [];
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? 'environment');
      const raw = env[variable];
      const echo = ECHOABLE.has(variable) && raw !== undefined ? ` (got "${withoutCredentials(raw)}")` : '';
      // One line per variable: the first problem is enough to fix it.
      if (!issues.some((known) => known.variable === variable)) {
        issues.push({ variable, message: `${issue.message}${echo}` });
      }
    }
  }
  const bothKeys =
    unsetIfBlank(env.JWT_SECRET) !== undefined && unsetIfBlank(env.JWT_PUBLIC_KEY) !== undefined;
  if (bothKeys) {
    // Accepting both would mean choosing one silently; a token signed for the other would then fail.
    issues.push({
      variable: 'JWT_SECRET, JWT_PUBLIC_KEY',
      message: 'set only one: JWT_SECRET for HS256 tokens, or JWT_PUBLIC_KEY for RS256/ES256 tokens',
    });
  }
  const mediaSecret = unsetIfBlank(env.MEDIA_URL_SECRET);
  if (mediaSecret === undefined && unsetIfBlank(env.JWT_PUBLIC_KEY) !== undefined) {
    // Without it each process would sign with a key of its own, and refuse the others' URLs.
    issues.push({
      variable: 'MEDIA_URL_SECRET',
      message:
        'is required with JWT_PUBLIC_KEY, which has nothing secret to derive it from: ' +
        'set it to a random string of at least 32 characters, the same for every process',
    });
  }
  const mediaSecretIssue = issues.some((issue) => issue.variable === 'MEDIA_URL_SECRET');
  if (!mediaSecretIssue && mediaSecret !== undefined && mediaSecret === unsetIfBlank(env.JWT_SECRET)) {
    issues.push({
      variable: 'MEDIA_URL_SECRET',
      message:
        'must differ from JWT_SECRET; unset it to derive a separate key from JWT_SECRET, or give it a value of its own',
    });
  }
  for (const kind of ['WRITES', 'READS'] as const) {
    const [rateName, burstName] = [`RATE_LIMIT_${kind}_PER_S`, `RATE_LIMIT_${kind}_BURST`] as const;
    if (issues.some((issue) => issue.variable === rateName || issue.variable === burstName)) continue;
    const defaults = RATE_LIMIT_DEFAULTS[kind === 'WRITES' ? 'restWrites' : 'restReads'];
    const rateSet = unsetIfBlank(env[rateName]) !== undefined;
    const rate = Number(unsetIfBlank(env[rateName]) ?? defaults.perSecond);
    const burst = Number(unsetIfBlank(env[burstName]) ?? defaultBurst(defaults.burst, rate));
    if (burst <= rate) {
      // A burst no larger than a second's worth would be no burst at all. Only a burst that was set
      // can get here: an unset one follows its rate.
      issues.push({
        variable: burstName,
        message: `must be larger than ${rateName} (${rate}${rateSet ? '' : ', its default'}), got ${burst}`,
      });
    }
  }
  if (parsed.success) issues.push(...webhookIssues(parsed.data));
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);

  const vars = parsed.data;
  let jwt: JwtKey | null = null;
  if (vars.JWT_SECRET !== undefined) jwt = { secret: vars.JWT_SECRET };
  else if (vars.JWT_PUBLIC_KEY !== undefined) jwt = { publicKey: vars.JWT_PUBLIC_KEY };

  return {
    port: vars.PORT ?? 8000,
    host: vars.HOST ?? '0.0.0.0',
    dataDir: path.resolve(vars.DATA_DIR ?? './data'),
    dataDirGiven: vars.DATA_DIR !== undefined,
    jwt,
    jwtRequireExp: vars.JWT_REQUIRE_EXP ?? true,
    maxUploadBytes: vars.MAX_UPLOAD_BYTES ?? DEFAULT_MAX_UPLOAD_BYTES,
    allowedOrigins: vars.ALLOWED_ORIGINS ?? '*',
    typingTimeoutMs: vars.TYPING_TIMEOUT_MS ?? DEFAULT_TYPING_TIMEOUT_MS,
    presenceTimeoutMs: vars.PRESENCE_TIMEOUT_MS ?? DEFAULT_PRESENCE_TIMEOUT_MS,
    logLevel: vars.LOG_LEVEL ?? 'info',
    databaseUrl: vars.DATABASE_URL ?? null,
    redisUrl: vars.REDIS_URL ?? null,
    mediaUrlSecret: vars.MEDIA_URL_SECRET ?? null,
    mediaUrlTtlS: vars.MEDIA_URL_TTL_S ?? DEFAULT_MEDIA_URL_TTL_S,
    demoWebDir: (vars.DEMO_WEB ?? true) ? demoWebBuildDir() : null,
    apiDocs: vars.API_DOCS ?? true,
    rateLimits:
      (vars.RATE_LIMITS ?? true)
        ? {
            restWrites: restLimit(
              vars.RATE_LIMIT_WRITES_PER_S,
              vars.RATE_LIMIT_WRITES_BURST,
              RATE_LIMIT_DEFAULTS.restWrites,
            ),
            restReads: restLimit(
              vars.RATE_LIMIT_READS_PER_S,
              vars.RATE_LIMIT_READS_BURST,
              RATE_LIMIT_DEFAULTS.restReads,
            ),
            socketFrames: {
              points: vars.RATE_LIMIT_FRAMES ?? RATE_LIMIT_DEFAULTS.socketFrames.points,
              seconds: vars.RATE_LIMIT_FRAMES_WINDOW_S ?? RATE_LIMIT_DEFAULTS.socketFrames.seconds,
            },
            socketsPerUser: vars.RATE_LIMIT_SOCKETS_PER_USER ?? RATE_LIMIT_DEFAULTS.socketsPerUser,
          }
        : null,
    socketMaxBacklogBytes: vars.SOCKET_MAX_BACKLOG_BYTES ?? DEFAULT_MAX_SOCKET_BACKLOG_BYTES,
    webhooks: webhookConfig(vars),
    unreadNotifyAfterS: unreadNotifyAfterS(vars),
  };
}

/**
 * Where `npm run build` puts the demo web app: the `dist` folder of the `@hirechat/demo-web`
 * workspace, found the way Node finds the package, so that it is the same from `src/` and `dist/`.
 */
export function demoWebBuildDir(): string {
  const manifest = createRequire(import.meta.url).resolve('@hirechat/demo-web/package.json');
  return path.join(path.dirname(manifest), 'dist');
}
