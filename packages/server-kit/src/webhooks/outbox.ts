import type { WebhookEvent } from '@hirechat/protocol';
import type { MessageRecord } from '../domain/records.js';
import type { WebhookEndpoints } from './endpoints/webhook-endpoints.js';

/*
 * The ports of webhook delivery and `message.unread`: small interfaces over the outbox that the
 * storage keeps in its writes' own transactions (KnexChatStorage.openOutbox, in knex/).
 */

/** What the outbox queues with every write, once opened. */
export interface OutboxConfig {
  /** Each event is queued once per URL. None: no event is queued for delivery. */
  urls: readonly string[];
  /** How long a queued delivery is retried, in ms from when it was queued. */
  retryForMs: number;
  /** Whether the state of `message.unread` is kept (a read of a room, or a removal, resets it). */
  unread: boolean;
}

/** A delivery this process took from the queue: one event, to one URL. */
export interface QueuedDelivery {
  id: number;
  /** The `webhook-id`: the same on every attempt, and for every URL, of one event. */
  eventId: string;
  url: string;
  /** The event as it was committed (JSON); its Messages are signed again when it is sent. */
  payload: string;
  /** The number of this attempt, from 1. */
  attempt: number;
  /** When its retries end (Unix ms). */
  retryUntil: number;
}

/** A delivery that ran out of retries, as `npm run webhooks -- failed` lists it. */
export interface FailedDelivery {
  id: number;
  eventId: string;
  url: string;
  type: string;
  attempts: number;
  /** When the event was queued (Unix ms). */
  queuedAt: number;
  /** What its last attempt met: `answered 500`, `no answer within 5000 ms`, ... */
  lastError: string | null;
}

/** The last error of a delivery failed because no configured URL has its endpoint. */
export const NOT_CONFIGURED_ERROR = 'its URL is no longer in the configuration';

/** Deliveries to one URL, counted. */
export interface UrlCount {
  /** Whole, as stored or configured: redact it (redactUrl) before it is shown. */
  url: string;
  count: number;
}

/** What `settle` did with deliveries queued for a URL that is not configured as it is now. */
export interface SettledDeliveries {
  /** Moved to the configured URL of their endpoint (a rotated token), by that URL. */
  retargeted: UrlCount[];
  /** Pending ones failed with NOT_CONFIGURED_ERROR (no configured URL has their endpoint), by URL. */
  unconfigured: UrlCount[];
}

/** What `retry` did with the failed deliveries it was asked for. */
export interface RetryOutcome {
  /** Queued again, due now. */
  queued: number;
  /** Left failed: no configured URL has their endpoint, so they could never be sent. */
  notConfigured: number;
  /** The configured URLs they were queued for. */
  urls: string[];
}

/**
 * The queue of deliveries, shared by every process on the same database. A delivery is taken by
 * one process at a time (a lease): under normal operation each is sent once; a process that dies
 * holding one lets it go when the lease ends, and another sends it again (at least once).
 */
export interface DeliveryQueue {
  /**
   * Takes up to `limit` due deliveries to these URLs, oldest first: nobody else takes them for
   * `leaseMs`, by which time this process has recorded how each went.
   */
  claim(urls: readonly string[], limit: number, leaseMs: number): Promise<QueuedDelivery[]>;
  /** The receivers took these: they leave the queue (in one statement). */
  delivered(deliveries: readonly QueuedDelivery[]): Promise<void>;
  /** It failed and is due again at `at` (Unix ms). */
  retryAt(delivery: QueuedDelivery, at: number, error: string): Promise<void>;
  /** It failed for the last time: kept as failed. */
  failed(delivery: QueuedDelivery, error: string): Promise<void>;
  /**
   * Pending deliveries to these URLs whose retries are over without a last attempt (the URL was
   * down, and left alone) become failed; answers how many.
   */
  expire(urls: readonly string[]): Promise<number>;
  /** The failed deliveries, oldest first. */
  listFailed(): Promise<FailedDelivery[]>;
  /**
   * Queues failed deliveries (these ids, or all) again, due now, retried for `retryForMs` from now,
   * to the configured URL of their endpoint (see WebhookEndpoints); those whose endpoint is not
   * configured are left failed and counted. Ids that name no failed delivery are in neither count.
   */
  retry(
    ids: readonly number[] | 'all',
    endpoints: WebhookEndpoints,
    retryForMs: number,
  ): Promise<RetryOutcome>;
  /**
   * Brings the queue in line with the URLs configured now: deliveries (pending or failed) queued
   * for another URL of a configured endpoint go to the configured URL; pending ones whose endpoint
   * is not configured become failed with NOT_CONFIGURED_ERROR. Safe to run by several processes
   * at once (each change is one statement, and a second run finds nothing left to change).
   */
  settle(endpoints: WebhookEndpoints): Promise<SettledDeliveries>;
}

/** A participant who might be told of a message they missed. */
export interface UnreadRecipient {
  user: string;
  /** When they last came online or went offline (Unix ms), on any process; null: never seen. */
  lastOnlineAt: number | null;
}

/** A message looked at for `message.unread`, with who has not read it. */
export interface UnreadCandidate {
  message: MessageRecord;
  /**
   * Its room's participants now, but its sender, who have not read it and have not been told of
   * its room since they last read in it or came online.
   */
  recipients: UnreadRecipient[];
}

/** The next messages to look at, from the scan's place (`from`) to that of the last one (`to`). */
export interface UnreadBatch {
  from: number;
  to: number;
  candidates: UnreadCandidate[];
}

/** A `message.unread` to send: who is told, of which room's message. */
export interface UnreadNotice {
  user: string;
  room: string;
  event: WebhookEvent;
}

/**
 * What `message.unread` keeps: a scan through the messages in the order they were stored, who was
 * told of which room, and when each user was last seen online. Shared by every process: the scan
 * moves on by compare-and-set, so each message is settled once.
 */
export interface UnreadLedger {
  /**
   * Makes the scan's place, at the newest message there is, unless it exists: messages stored
   * before the first start are never told of, and every one after is. Call it before serving.
   */
  prepare(): Promise<void>;
  /** Messages after the scan's place sent no later than `sentBy` (a Message timestamp), at most `limit`. */
  pending(sentBy: string, limit: number): Promise<UnreadBatch>;
  /**
   * In one transaction: when the scan is still at `batch.from`, records each notice (and queues its
   * event for delivery), and moves the scan to `batch.to`. False, with nothing recorded, when
   * another process moved the scan first.
   */
  settle(batch: Pick<UnreadBatch, 'from' | 'to'>, notices: readonly UnreadNotice[]): Promise<boolean>;
  /**
   * Users came online (`true`) or went offline at `at` (Unix ms): their last-online time moves, and
   * coming online ends their "told" state in every room.
   */
  presenceChanged(users: readonly string[], online: boolean, at: number): Promise<void>;
}

/** The outbox of a storage, once opened: its delivery queue and its `message.unread` ledger. */
export interface Outbox {
  deliveries: DeliveryQueue;
  unread: UnreadLedger;
}

/** A storage that can keep an outbox in its writes' transactions (KnexChatStorage can). */
export interface OutboxStorage {
  /** From now on, every write of this storage queues its events as `config` says. */
  openOutbox(config: OutboxConfig): Outbox;
}

/** Whether the storage keeps an outbox. */
export function keepsOutbox(storage: unknown): storage is OutboxStorage {
  return typeof (storage as Partial<OutboxStorage>).openOutbox === 'function';
}
