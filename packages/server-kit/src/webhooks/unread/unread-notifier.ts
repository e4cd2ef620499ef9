import type { WebhookEvent } from '@hirechat/protocol';
import type { MediaUrls } from '../../domain/media-urls.js';
import { formatMicros, nowTimestamp } from '../../domain/timestamp.js';
import { toMessage } from '../../domain/to-wire.js';
import type { DomainEventBus } from '../../hooks/domain-event-bus.js';
import type { Logger } from '../../ports/logger.js';
import type { PresenceState } from '../../ports/presence-state.js';
import type { UnreadBatch, UnreadLedger, UnreadNotice } from '../outbox.js';

export interface UnreadNotifierOptions {
  ledger: UnreadLedger;
  presence: PresenceState;
  media: MediaUrls;
  events: DomainEventBus;
  logger: Logger;
  /** A participant is told of a message they missed this long after it was sent, in ms. */
  notifyAfterMs: number;
  /** How often due messages are looked for, in ms. */
  checkIntervalMs: number;
  /** Messages looked at per read. Default 200. */
  batchSize?: number;
}

/**
 * Messages older than this (or than twice the delay, if longer) when first looked at, because the
 * server was down for longer, are passed over without a notification: an email about a message
 * from days ago helps nobody.
 */
const HORIZON_MS = 24 * 60 * 60 * 1000;

/**
 * Makes `message.unread` (contract, "Webhooks"): looks at each message once it is `notifyAfterMs`
 * old, in the order messages were stored, and tells each participant but its sender who has
 * neither read it nor been online since it was sent (not online now on any process, and last seen
 * before it), unless they were told of that room already and have not read in it or come online
 * since. A burst of messages is one notification: of its first message. Shared by every process:
 * each batch is settled by one of them (see UnreadLedger.settle).
 */
export class UnreadNotifier {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | null = null;
  private readonly batchSize: number;

  constructor(private readonly options: UnreadNotifierOptions) {
    this.batchSize = options.batchSize ?? 200;
  }

  /** Starts checking, once the scan has its place (see UnreadLedger.prepare). */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.options.ledger.prepare();
    this.timer = setInterval(() => void this.check(), this.options.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  /** Settles every message that is due now. One check at a time; a failed one is logged. */
  check(): Promise<void> {
    this.checking ??= this.settleDue()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'unread messages not checked'))
      .finally(() => {
        this.checking = null;
      });
    return this.checking;
  }

  private async settleDue(): Promise<void> {
    const { ledger, notifyAfterMs, events } = this.options;
    for (;;) {
      const now = Date.now();
      const batch = await ledger.pending(formatMicros((now - notifyAfterMs) * 1000), this.batchSize);
      if (batch.to === batch.from) return;
      const notices = await this.noticesOf(batch, now);
      // Another process settled this batch first: it told whom there was to tell.
      if (await ledger.settle(batch, notices)) events.committed(notices.map((notice) => notice.event));
      if (batch.candidates.length < this.batchSize) return;
    }
  }

  private async noticesOf(batch: UnreadBatch, now: number): Promise<UnreadNotice[]> {
    const { presence, media } = this.options;
    const users = [...new Set(batch.candidates.flatMap((c) => c.recipients.map((r) => r.user)))];
    const online = new Set(users.length > 0 ? await presence.online(users) : []);
    const told = new Set<string>();
    const notices: UnreadNotice[] = [];
    const horizon = Math.max(HORIZON_MS, 2 * this.options.notifyAfterMs);
    for (const { message, recipients } of batch.candidates) {
      const sentAt = Date.parse(message.timestamp);
      if (now - sentAt > horizon) continue;
      for (const { user, lastOnlineAt } of recipients) {
        const key = `${user} ${message.chatRoom}`;
        const seenSince = lastOnlineAt !== null && lastOnlineAt >= sentAt;
        if (online.has(user) || seenSince || told.has(key)) continue;
        told.add(key);
        const event: WebhookEvent = {
          type: 'message.unread',
          timestamp: nowTimestamp(),
          data: { message: toMessage(message, media), user_id: user },
        };
        notices.push({ user, room: message.chatRoom, event });
      }
    }
    return notices;
  }
}
