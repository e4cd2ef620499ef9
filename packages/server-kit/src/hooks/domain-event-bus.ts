import { EventEmitter } from 'node:events';
import type { WebhookEvent } from '@hirechat/protocol';
import type { Logger } from '../ports/logger.js';

/** Called with the domain events of one commit, in the order they happened. */
export type CommittedListener = (events: readonly WebhookEvent[]) => void;

const COMMITTED = 'committed';

/**
 * Where the domain events of this process go once the write that caused them has committed: the
 * EventPublisher (and the `message.unread` notifier) emit here, in commit order per room, and the
 * `onEvent` hook and the webhook delivery loop listen. Listeners run synchronously, so they only
 * queue work; one that throws is logged and the others still run. Events carry their Messages as
 * they were logged: whoever sends them on signs them first (MediaUrls.signEvent on `data`).
 */
export class DomainEventBus {
  private readonly emitter = new EventEmitter();

  constructor(private readonly logger: Logger) {
    // One listener per part that listens (hook, deliveries, ...): no leak to warn about.
    this.emitter.setMaxListeners(0);
  }

  /** Registers a listener for every commit's events from now on. */
  onCommitted(listener: CommittedListener): void {
    this.emitter.on(COMMITTED, (events: readonly WebhookEvent[]) => {
      try {
        listener(events);
      } catch (error) {
        this.logger.error({ err: error }, 'a listener of committed events threw');
      }
    });
  }

  /** Hands a commit's events to every listener; nothing happens for none. */
  committed(events: readonly WebhookEvent[]): void {
    if (events.length > 0) this.emitter.emit(COMMITTED, events);
  }
}

/** The room an event belongs to: events of one room reach the `onEvent` hook in commit order. */
export function roomOfEvent(event: WebhookEvent): string {
  switch (event.type) {
    case 'room.created':
    case 'room.updated':
      return event.data.room.uuid;
    case 'room.member_removed':
      return event.data.room_id;
    case 'message.read':
      return event.data.chat_room;
    case 'message.created':
    case 'message.updated':
    case 'message.deleted':
    case 'message.unread':
      return event.data.message.chat_room;
  }
}
