// The public API of server-kit: the domain, its ports with their implementations, and the Hapi mount.

export { InProcessBroadcaster } from './broadcast/in-process-broadcaster.js';
export { RedisBroadcaster, type RedisBroadcasterOptions } from './broadcast/redis-broadcaster.js';
export {
  DEFAULT_REQUEST_DEADLINES,
  type RequestDeadlines,
} from './deadlines/request-deadlines.js';
export { type Caller, ROLES, type Role } from './domain/caller.js';
export { ChatError } from './domain/chat-error.js';
export {
  ChatService,
  type ChatServiceDeps,
  type NewMessageInput,
  type Replay,
  type RoomMembership,
  type SignedFile,
} from './domain/chat-service.js';
export {
  MAX_MEDIA_URL_TTL_S,
  type MediaUrlQuery,
  MediaUrls,
  type MediaUrlsOptions,
  MIN_MEDIA_URL_SECRET_BYTES,
} from './domain/media-urls.js';
export type {
  MessageRecord,
  ReadRecord,
  RoomChangeRecord,
  RoomRecord,
  RoomSummaryRecord,
  UserRecord,
} from './domain/records.js';
export { LocalFileStore } from './files/local-file-store.js';
export { errorResponder } from './hapi/error-response.js';
export { type HirechatPluginApi, hirechat } from './hapi/plugin.js';
export type { HirechatOptions } from './hapi/plugin-options.js';
export type {
  BeforeMessageHook,
  BeforeMessageInput,
  BeforeMessageVerdict,
  ChatHooks,
  EventHook,
} from './hooks/hook-options.js';
export { JwtIdentity, type JwtIdentityOptions } from './identity/jwt-identity.js';
export { signAccessToken } from './identity/sign-access-token.js';
export {
  type BurstRate,
  DEFAULT_MAX_SOCKET_BACKLOG_BYTES,
  DEFAULT_RATE_LIMITS,
  type RateLimitOptions,
  type WindowBudget,
} from './limits/limit-options.js';
export { redactUrl, redactUrlsIn } from './logging/redact-url.js';
export {
  type BroadcastEvent,
  type Broadcaster,
  inboxTopic,
  type Publication,
  publishEach,
  roomTopic,
  type Topic,
  type TopicListener,
} from './ports/broadcaster.js';
export type {
  ChatStorage,
  EventLogRead,
  EventsOf,
  InboxDelivery,
  InboxRecipient,
  Logged,
  MessagePage,
  MessagePosition,
  MessageQuery,
  NewMessage,
  RoomAccess,
  RoomParticipants,
  RoomQuery,
} from './ports/chat-storage.js';
export type { FileStore, UploadedFile } from './ports/file-store.js';
export type { Identity, VerifiedToken } from './ports/identity.js';
export { type Logger, silentLogger } from './ports/logger.js';
export {
  DEFAULT_PRESENCE_TIMEOUT_MS,
  type PresenceListener,
  type PresenceState,
} from './ports/presence-state.js';
export type { TypingExpiryListener, TypingState } from './ports/typing-state.js';
export type { UserDirectory } from './ports/user-directory.js';
export { InProcessPresenceState } from './presence/in-process-presence-state.js';
export { RedisPresenceState, type RedisPresenceStateOptions } from './presence/redis-presence-state.js';
export { KnexChatStorage, type KnexChatStorageOptions } from './storage/knex-chat-storage.js';
export { createPostgresKnex, type PostgresKnexOptions } from './storage/postgres.js';
export { DEFAULT_EVENT_LOG_SIZE } from './storage/room-event-log.js';
export { createSqliteKnex } from './storage/sqlite.js';
export { InProcessTypingState } from './typing/in-process-typing-state.js';
export { RedisTypingState, type RedisTypingStateOptions } from './typing/redis-typing-state.js';
export { WebhookEndpoints } from './webhooks/endpoints/webhook-endpoints.js';
export { KnexDeliveryQueue } from './webhooks/knex/knex-delivery-queue.js';
export {
  type DeliveryQueue,
  type FailedDelivery,
  NOT_CONFIGURED_ERROR,
  type Outbox,
  type OutboxConfig,
  type OutboxStorage,
  type QueuedDelivery,
  type RetryOutcome,
  type SettledDeliveries,
  type UrlCount,
} from './webhooks/outbox.js';
export type { WebhookAdmin } from './webhooks/outbox-runtime.js';
export { type RetrySchedule, retryDelay } from './webhooks/retry-schedule.js';
export { WebhookDeliverer, type WebhookDelivererOptions } from './webhooks/webhook-deliverer.js';
export {
  isWebhookSecret,
  type UnreadOptions,
  WEBHOOK_LIMITS,
  WEBHOOK_SECRET_BYTES,
  type WebhookOptions,
  webhookUrlProblem,
} from './webhooks/webhook-options.js';
