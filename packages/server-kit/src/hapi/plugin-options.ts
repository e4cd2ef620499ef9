import {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_MEDIA_URL_TTL_S,
  DEFAULT_TYPING_TIMEOUT_MS,
} from '@hirechat/protocol';
import type { RequestDeadlines } from '../deadlines/request-deadlines.js';
import type { MediaUrls } from '../domain/media-urls.js';
import type { ChatHooks } from '../hooks/hook-options.js';
import { DEFAULT_MAX_SOCKET_BACKLOG_BYTES, type RateLimitOptions } from '../limits/limit-options.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { Broadcaster } from '../ports/broadcaster.js';
import type { ChatStorage } from '../ports/chat-storage.js';
import type { FileStore } from '../ports/file-store.js';
import type { Identity } from '../ports/identity.js';
import type { Logger } from '../ports/logger.js';
import type { PresenceState } from '../ports/presence-state.js';
import type { TypingState } from '../ports/typing-state.js';
import type { UserDirectory } from '../ports/user-directory.js';
import type {
  ResolvedUnreadOptions,
  ResolvedWebhookOptions,
  UnreadOptions,
  WebhookOptions,
} from '../webhooks/webhook-options.js';

/** Options of the hirechat Hapi plugin. Only `storage`, `identity` and `files` are required. */
export interface HirechatOptions {
  /** Where rooms and messages live, e.g. `new KnexChatStorage(createSqliteKnex(file))`. */
  storage: ChatStorage;
  /** Verifies access tokens, e.g. `new JwtIdentity({ secret })`. */
  identity: Identity;
  /** Where uploaded files live, e.g. `new LocalFileStore(dir)`. */
  files: FileStore;
  /** Who the users are. Default: `storage`, when it is also a UserDirectory (KnexChatStorage is). */
  users?: UserDirectory;
  /** Carries events between processes. Default: in process. */
  broadcaster?: Broadcaster;
  /** Who is typing. Default: in process, expiring after `typingTimeoutMs`. */
  typingState?: TypingState;
  /**
   * Who is online, for `presence` events and `online_users`. Default: in process (one server
   * process); several processes need a shared one (RedisPresenceState).
   */
  presence?: PresenceState;
  /** Default 5000. Used only by the default typing state. */
  typingTimeoutMs?: number;
  /** Largest upload body in bytes; larger answers 413. Default 10 MiB. */
  maxUploadBytes?: number;
  /**
   * Origins that browsers may call REST and open sockets from, e.g. `['https://app.example.com']`.
   * Default `'*'`: any origin.
   */
  allowedOrigins?: string[] | '*';
  /**
   * Key of the HMAC-SHA256 signatures of media URLs (every Message's `file_url`), at least 32
   * bytes. Every process that serves the same files must have the same one. Default: 32 random
   * bytes made at registration, which suits one process only: its URLs stop working when it
   * restarts, and other processes refuse them (a warning says so).
   */
  mediaUrlSecret?: string | Uint8Array;
  /**
   * Least time, in seconds, that a `file_url` stays valid after the message carrying it was sent
   * (contract, "Files, continued"); from 1 to 604800 (a week). Default 3600.
   */
  mediaUrlTtlSeconds?: number;
  /** How often sockets are pinged; a socket that missed the last ping is dropped. Default 30000. */
  pingIntervalMs?: number;
  /**
   * Per-user limits on REST requests and open sockets, and on the frames of each socket (contract,
   * "Limits"; README, "Limits"): REST over its limit is a 429, a socket over the user's count is
   * closed with 4429, frames over a socket's budget are dropped and answered `rate_limited`, and a
   * socket that keeps on is closed with 1008. Counted in process unless `limits.redis` is given.
   * Default: on, with the defaults of RateLimitOptions. `false` turns them all off.
   */
  limits?: RateLimitOptions | false;
  /**
   * A socket whose unsent backlog (what the server holds for it, not yet written to the network)
   * passes this many bytes is closed with 1013; past half of it, its typing and presence events wait
   * (only the newest of each, sent once it reads again).
   * Not a rate limit: `limits: false` leaves it on. Default 4 MiB.
   */
  maxSocketBacklogBytes?: number;
  /**
   * How long each phase of a request may take, in ms (see RequestDeadlines): headers 10,000, body
   * 10,000, idle keep-alive 5,000, WebSocket admission 10,000. The header and keep-alive deadlines
   * are set on the server's listener (Node's `headersTimeout` and `keepAliveTimeout`), so they
   * hold for every route of the server, the host's too.
   */
  deadlines?: Partial<RequestDeadlines>;
  /**
   * Server-side hooks: `beforeMessage` moderates or rewrites every message before it is stored,
   * `onEvent` receives every committed domain event (see ChatHooks for what happens when one
   * throws or times out). Default: none.
   */
  hooks?: ChatHooks;
  /**
   * Outgoing webhooks: every committed domain event POSTed to `urls`, signed per the Standard
   * Webhooks specification, from a durable queue that the storage keeps in each write's
   * transaction (the storage must keep an outbox: KnexChatStorage does). Default: none.
   */
  webhooks?: WebhookOptions;
  /**
   * `message.unread`: a participant who has neither read a message nor been online within
   * `notifyAfterS` (default 300) of it being sent is told, through webhooks and `onEvent`. Kept when
   * either is configured; `false` turns it off.
   */
  unread?: UnreadOptions | false;
  /** Run storage migrations when the server starts. Default true. */
  migrate?: boolean;
  /**
   * Serve the API documents, generated from the protocol's schemas: `GET /openapi.json` (OpenAPI
   * 3.1), `GET /asyncapi.json` (AsyncAPI 3.0) and `GET /docs`, a page that shows both (it renders
   * them when the optional peers `swagger-ui-dist` and `@asyncapi/react-component` are installed,
   * and links them otherwise). None of them needs a token. Default true; `false` mounts none of
   * them, for hosts that keep their API description private or own those paths.
   */
  docs?: boolean;
  /**
   * Default: silent. A warning or error is written once, then only counted for 10 s when the same
   * one comes again, and the count follows in one line (`repeated`), so that an outage does not
   * flood the log.
   */
  logger?: Logger;
}

/** Options with every default filled in. */
export type ResolvedHirechatOptions = Required<
  Omit<HirechatOptions, 'users' | 'mediaUrlSecret' | 'deadlines' | 'limits' | 'hooks' | 'webhooks' | 'unread'>
> & {
  hooks: ChatHooks;
  webhooks: ResolvedWebhookOptions | null;
  unread: ResolvedUnreadOptions | null;
  users: UserDirectory;
  mediaUrls: MediaUrls;
  deadlines: RequestDeadlines;
  /** Null when limits are off. */
  limits: RateLimits | null;
};

export const DEFAULTS = {
  typingTimeoutMs: DEFAULT_TYPING_TIMEOUT_MS,
  maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
  allowedOrigins: '*' as const,
  mediaUrlTtlSeconds: DEFAULT_MEDIA_URL_TTL_S,
  pingIntervalMs: 30_000,
  maxSocketBacklogBytes: DEFAULT_MAX_SOCKET_BACKLOG_BYTES,
  migrate: true,
  docs: true,
};
