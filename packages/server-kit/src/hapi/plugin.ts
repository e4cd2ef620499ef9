import { randomBytes } from 'node:crypto';
import type { Plugin, RouteOptions, Server } from '@hapi/hapi';
import inert from '@hapi/inert';
import { RestPaths } from '@hirechat/protocol';
import { InProcessBroadcaster } from '../broadcast/in-process-broadcaster.js';
import { applyListenerDeadlines } from '../deadlines/listener-deadlines.js';
import { resolveRequestDeadlines } from '../deadlines/request-deadlines.js';
import { mountDocs } from '../docs/docs-routes.js';
import { ChatService } from '../domain/chat-service.js';
import { MAX_MEDIA_URL_TTL_S, MediaUrls, MIN_MEDIA_URL_SECRET_BYTES } from '../domain/media-urls.js';
import { DomainEventBus } from '../hooks/domain-event-bus.js';
import { EventHookRunner } from '../hooks/event-hook-runner.js';
import { type ChatHooks, HOOK_DEFAULTS } from '../hooks/hook-options.js';
import { resolveRateLimits } from '../limits/limit-options.js';
import { RateLimits } from '../limits/rate-limits.js';
import { answerClientErrors } from '../listener/client-errors.js';
import { RepeatThrottledLogger } from '../logging/repeat-throttled-logger.js';
import { checkWholeNumberOption, MAX_TIMER_MS } from '../options/whole-number-option.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import type { UserDirectory } from '../ports/user-directory.js';
import { InProcessPresenceState } from '../presence/in-process-presence-state.js';
import { InProcessTypingState } from '../typing/in-process-typing-state.js';
import { keepsOutbox } from '../webhooks/outbox.js';
import { OutboxRuntime, type WebhookAdmin } from '../webhooks/outbox-runtime.js';
import { resolveUnreadOptions, resolveWebhookOptions } from '../webhooks/webhook-options.js';
import { InboxChannel } from '../ws/inbox-channel.js';
import { RoomChannel } from '../ws/room-channel.js';
import { SocketGateway } from '../ws/socket-gateway.js';
import { TopicHub } from '../ws/topic-hub.js';
import { AUTH_STRATEGY, registerAuth } from './auth.js';
import { errorResponder } from './error-response.js';
import { DEFAULTS, type HirechatOptions, type ResolvedHirechatOptions } from './plugin-options.js';
import { applyRestLimits, RATE_LIMIT_HEADERS } from './rest-limits.js';
import { mountFallbacks, mountPaths } from './route-table.js';
import { healthRoutes } from './routes/health-route.js';
import { mediaRoutes } from './routes/media-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { roomRoutes } from './routes/room-routes.js';

/** Every REST path of the contract but the health check lies under this prefix. */
const CHATS_PREFIX = '/chats/';
const VERSION = '0.1.0';

/** What the plugin exposes as `server.plugins.hirechat`, for apps that embed it. */
export interface HirechatPluginApi {
  /**
   * The chat domain, for server-side code that posts messages or creates rooms itself. The storage
   * is migrated in `onPreStart`: call it after `await server.initialize()` (or `start()`).
   */
  chat: ChatService;
  /**
   * The webhook queue's failed deliveries, to list and send again (null without the `webhooks`
   * option): what `npm run webhooks -- failed | retry` does for the reference server.
   */
  webhooks: WebhookAdmin | null;
}

declare module '@hapi/hapi' {
  interface PluginProperties {
    hirechat: HirechatPluginApi;
  }
}

/**
 * The hirechat Hapi plugin: the contract's REST routes, and its WebSocket on the same listener.
 *
 * ```ts
 * await server.register({ plugin: hirechat, options: { storage, identity, files } });
 * ```
 */
export const hirechat: Plugin<HirechatOptions> = {
  name: 'hirechat',
  version: VERSION,
  requirements: { hapi: '>=21.0.0' },
  async register(server: Server, options: HirechatOptions) {
    const resolved = resolveOptions(options);
    const { storage, broadcaster, typingState, presence, files, logger, hooks } = resolved;
    const domainEvents = new DomainEventBus(logger);
    const eventHook = hooks.onEvent
      ? new EventHookRunner({
          hook: hooks.onEvent,
          timeoutMs: hooks.timeoutMs ?? HOOK_DEFAULTS.timeoutMs,
          maxPending: hooks.maxPendingEvents ?? HOOK_DEFAULTS.maxPendingEvents,
          media: resolved.mediaUrls,
          logger,
        })
      : null;
    if (eventHook) domainEvents.onCommitted((events) => eventHook.enqueue(events));
    const outbox = outboxRuntime(resolved, domainEvents);
    const chat = new ChatService({
      storage,
      users: resolved.users,
      identity: resolved.identity,
      broadcaster,
      typing: typingState,
      presence,
      files,
      mediaUrls: resolved.mediaUrls,
      logger,
      hooks,
      domainEvents,
      ...(outbox && { onPresenceChange: outbox.onPresenceChange }),
    });

    const { deadlines } = resolved;
    const table = [
      ...roomRoutes(chat, { bodyTimeoutMs: deadlines.bodyMs }),
      ...messageRoutes(chat, { maxUploadBytes: resolved.maxUploadBytes, bodyTimeoutMs: deadlines.bodyMs }),
      ...mediaRoutes(chat, files),
      ...healthRoutes(storage, broadcaster),
    ];

    await server.register(inert);
    registerAuth(server, chat);
    server.ext('onPreResponse', errorResponder(logger), { sandbox: 'plugin' });
    // After the error responder, whose answers get the limit's headers too.
    if (resolved.limits) applyRestLimits(server, resolved.limits, logger);

    const exposedHeaders = ['Link', ...RATE_LIMIT_HEADERS];
    const common: RouteOptions = {
      auth: AUTH_STRATEGY,
      cors:
        resolved.allowedOrigins === '*'
          ? { origin: ['*'], additionalExposedHeaders: exposedHeaders }
          : { origin: resolved.allowedOrigins, additionalExposedHeaders: exposedHeaders },
    };
    applyListenerDeadlines(server.listener, deadlines);
    answerClientErrors(server.listener);
    mountPaths(server, common, table);
    mountFallbacks(server, [CHATS_PREFIX, RestPaths.media]);
    if (resolved.docs) {
      mountDocs(server, {
        version: VERSION,
        maxUploadBytes: resolved.maxUploadBytes,
        cors: common.cors,
        logger,
      });
    }

    const hub = new TopicHub(broadcaster, logger);
    const gateway = new SocketGateway(
      chat,
      [new RoomChannel(chat, hub, logger), new InboxChannel(chat, hub, logger)],
      {
        allowedOrigins: resolved.allowedOrigins,
        pingIntervalMs: resolved.pingIntervalMs,
        handshakeTimeoutMs: deadlines.handshakeMs,
        maxBacklogBytes: resolved.maxSocketBacklogBytes,
        limits: resolved.limits,
        logger,
      },
    );
    server.ext('onPreStart', async () => {
      if (resolved.migrate) await storage.migrate();
      await outbox?.start();
      gateway.attach(server.listener);
    });
    server.ext('onPreStop', async () => {
      await gateway.close();
      // Deliveries in flight get their outcome recorded; what is queued waits for the next start.
      await outbox?.stop();
    });
    server.ext('onPostStop', async () => {
      resolved.limits?.close();
      // Events of writes that made it before the stop still reach the hook (each within its timeout).
      await eventHook?.drain();
      // Close only what the plugin made; the caller owns what it passed in.
      if (!options.typingState) await typingState.close();
      if (!options.presence) await presence.close();
      if (!options.broadcaster) await broadcaster.close();
    });
    server.expose('chat', chat);
    server.expose('webhooks', outbox?.admin ?? null);
  },
};

/** The outbox and what reads it, when webhooks or `message.unread` are on; null otherwise. */
function outboxRuntime(resolved: ResolvedHirechatOptions, events: DomainEventBus): OutboxRuntime | null {
  const { webhooks, unread, storage } = resolved;
  if (!webhooks && !unread) return null;
  if (!keepsOutbox(storage)) {
    throw new Error(
      'hirechat: webhooks and message.unread need a storage that keeps an outbox (KnexChatStorage).',
    );
  }
  return new OutboxRuntime({
    storage,
    webhooks,
    unread,
    events,
    presence: resolved.presence,
    media: resolved.mediaUrls,
    logger: resolved.logger,
  });
}

/** Fills in the defaults and checks the options once, at registration. */
function resolveOptions(options: HirechatOptions): ResolvedHirechatOptions {
  for (const name of ['storage', 'identity', 'files'] as const) {
    if (!options?.[name]) throw new Error(`hirechat: the "${name}" option is required.`);
  }
  const merged = {
    ...DEFAULTS,
    ...withoutUndefined(options),
    storage: options.storage,
    identity: options.identity,
    files: options.files,
  };
  // Durations are timers' delays; sizes are bytes held in memory, where past 2^53 counting fails.
  checkWholeNumberOption('typingTimeoutMs', merged.typingTimeoutMs, MAX_TIMER_MS);
  checkWholeNumberOption('pingIntervalMs', merged.pingIntervalMs, MAX_TIMER_MS);
  checkWholeNumberOption('maxUploadBytes', merged.maxUploadBytes, Number.MAX_SAFE_INTEGER);
  checkWholeNumberOption('maxSocketBacklogBytes', merged.maxSocketBacklogBytes, Number.MAX_SAFE_INTEGER);
  const users = options.users ?? asUserDirectory(options.storage);
  const hooks = resolveHooks(options.hooks);
  const webhooks = options.webhooks ? resolveWebhookOptions(options.webhooks) : null;
  // Kept only when someone is told: webhooks, or the onEvent hook.
  const unread =
    options.unread !== false && (webhooks !== null || hooks.onEvent !== undefined)
      ? resolveUnreadOptions(options.unread ?? {})
      : null;
  const logger = new RepeatThrottledLogger(merged.logger ?? silentLogger);
  const { mediaUrlSecret, limits, ...rest } = merged;
  return {
    ...rest,
    limits: limits === false ? null : new RateLimits(resolveRateLimits(limits ?? {}), logger),
    users,
    mediaUrls: mediaUrlsOf(mediaUrlSecret, merged.mediaUrlTtlSeconds, logger),
    deadlines: resolveRequestDeadlines(options.deadlines),
    broadcaster: options.broadcaster ?? new InProcessBroadcaster(),
    typingState: options.typingState ?? new InProcessTypingState({ timeoutMs: merged.typingTimeoutMs }),
    presence: options.presence ?? new InProcessPresenceState(),
    logger,
    hooks,
    webhooks,
    unread,
  };
}

/** Checks the hooks once, at registration: functions where given, and sane limits. */
function resolveHooks(hooks: ChatHooks | undefined): ChatHooks {
  if (hooks === undefined) return {};
  for (const name of ['beforeMessage', 'onEvent'] as const) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function') {
      throw new Error(`hirechat: "hooks.${name}" must be a function.`);
    }
  }
  if (hooks.timeoutMs !== undefined) checkWholeNumberOption('hooks.timeoutMs', hooks.timeoutMs, MAX_TIMER_MS);
  if (hooks.maxPendingEvents !== undefined) {
    checkWholeNumberOption('hooks.maxPendingEvents', hooks.maxPendingEvents, Number.MAX_SAFE_INTEGER);
  }
  return hooks;
}

/** The signer of file URLs; with no secret given, a random one, which suits one process only. */
function mediaUrlsOf(secret: string | Uint8Array | undefined, ttlSeconds: number, logger: Logger): MediaUrls {
  const secretBytes = typeof secret === 'string' ? Buffer.byteLength(secret) : secret?.length;
  if (secretBytes !== undefined && secretBytes < MIN_MEDIA_URL_SECRET_BYTES) {
    throw new Error(`hirechat: "mediaUrlSecret" must be at least ${MIN_MEDIA_URL_SECRET_BYTES} bytes long.`);
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_MEDIA_URL_TTL_S) {
    throw new Error(
      `hirechat: "mediaUrlTtlSeconds" must be a whole number of seconds from 1 to ${MAX_MEDIA_URL_TTL_S}, ` +
        `got ${String(ttlSeconds)}.`,
    );
  }
  if (secret === undefined) {
    logger.warn(
      {},
      'hirechat: mediaUrlSecret is unset, so file URLs are signed with a random key of this process: ' +
        'they stop working when it restarts, and other processes refuse them. Give every process ' +
        'the same mediaUrlSecret.',
    );
  }
  return new MediaUrls({ secret: secret ?? randomBytes(32), ttlSeconds });
}

function asUserDirectory(storage: unknown): UserDirectory {
  const candidate = storage as Partial<UserDirectory>;
  if (typeof candidate.remember === 'function' && typeof candidate.idsByEmail === 'function') {
    return candidate as UserDirectory;
  }
  throw new Error('hirechat: pass a "users" directory; the storage given does not keep users.');
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
