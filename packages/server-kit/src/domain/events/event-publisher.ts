import type { LoggedRoomEvent, RoomEvent, WebhookEvent } from '@hirechat/protocol';
import type { DomainEventBus } from '../../hooks/domain-event-bus.js';
import { type Broadcaster, inboxTopic, type Publication, roomTopic } from '../../ports/broadcaster.js';
import type { InboxDelivery } from '../../ports/chat-storage.js';
import type { Logger } from '../../ports/logger.js';
import type { MediaUrls } from '../media-urls.js';

/**
 * What a committed write publishes: its room event (if it logged one), its inbox events, and its
 * domain events (for the `onEvent` hook and webhook deliveries).
 */
export interface CommittedEvents {
  room?: { uuid: string; event: LoggedRoomEvent };
  inbox: readonly InboxDelivery[];
  webhooks: readonly WebhookEvent[];
}

/**
 * Every event leaves the domain here, after the write that caused it has committed (callers run it
 * in the room's queue, so in seq order per room), its Messages signed as it leaves (the `file_url`
 * must be valid from when it is sent). A broadcaster failure is logged, not thrown: the write is
 * stored and its author must hear so, and the event is in its log, where sockets find it.
 */
export class EventPublisher {
  constructor(
    private readonly broadcaster: Broadcaster,
    private readonly media: MediaUrls,
    private readonly logger: Logger,
    private readonly domain: DomainEventBus,
  ) {}

  /**
   * The room's event first, then each inbox's, in one batch (one round trip to a broker): an
   * inbox never hears of a change before its room. Then the domain events, to the listeners of
   * this process (which only queue them).
   */
  async committed({ room, inbox, webhooks }: CommittedEvents): Promise<void> {
    const publications: Publication[] = [];
    if (room) publications.push({ topic: roomTopic(room.uuid), event: this.media.signEvent(room.event) });
    for (const { user, event } of inbox) {
      publications.push({ topic: inboxTopic(user), event: this.media.signEvent(event) });
    }
    // The port's publishAll never rejects; a broadcaster that does anyway loses the batch alone.
    const outcomes = await this.broadcaster
      .publishAll(publications)
      .catch((reason: unknown) =>
        publications.map((): PromiseRejectedResult => ({ status: 'rejected', reason })),
      );
    const firstInbox = room ? 1 : 0;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') continue;
      const err: unknown = outcome.reason;
      if (room && i === 0) {
        this.logger.error({ err, room: room.uuid, event: room.event.type }, 'event not broadcast');
      } else {
        const { user, event } = inbox[i - firstInbox]!;
        this.logger.error({ err, user, event: event.type }, 'inbox event not broadcast');
      }
    }
    this.domain.committed(webhooks);
  }

  /** An event for the room's sockets: a logged one, or state (typing, presence). */
  async toRoom(room: string, event: RoomEvent): Promise<void> {
    try {
      await this.broadcaster.publish(roomTopic(room), this.media.signEvent(event));
    } catch (error) {
      this.logger.error({ err: error, room, event: event.type }, 'event not broadcast');
    }
  }
}
