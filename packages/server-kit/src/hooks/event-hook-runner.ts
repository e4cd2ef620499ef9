import type { WebhookEvent } from '@hirechat/protocol';
import type { MediaUrls } from '../domain/media-urls.js';
import { RoomQueue } from '../domain/room-queue.js';
import type { Logger } from '../ports/logger.js';
import { withDeadline } from './deadline.js';
import { roomOfEvent } from './domain-event-bus.js';
import type { EventHook } from './hook-options.js';

export interface EventHookRunnerOptions {
  hook: EventHook;
  /** How long one call may take, in ms, before the next event of the room goes on. */
  timeoutMs: number;
  /** Events that may wait at once; more are dropped and logged. */
  maxPending: number;
  media: MediaUrls;
  logger: Logger;
}

/**
 * Calls the `onEvent` hook with each committed event, off the request's path: one event of a room
 * at a time, in the order they were committed; rooms do not wait for each other. A call that
 * throws or times out is logged, and the room's next event goes on. Each event's Messages are
 * signed right before the call, as for any event that leaves the server.
 */
export class EventHookRunner {
  private readonly queue = new RoomQueue();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: EventHookRunnerOptions) {}

  /** Queues the events of one commit. Returns at once. */
  enqueue(events: readonly WebhookEvent[]): void {
    const { maxPending, logger } = this.options;
    for (const event of events) {
      if (this.running.size >= maxPending) {
        logger.error({ event: event.type, maxPending }, 'onEvent hook is behind: event dropped');
        continue;
      }
      const call = this.queue.run(roomOfEvent(event), () => this.call(event));
      this.running.add(call);
      void call.finally(() => this.running.delete(call));
    }
  }

  /** Resolves once every queued event has had its call (each within the timeout). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async call(event: WebhookEvent): Promise<void> {
    const { hook, timeoutMs, media, logger } = this.options;
    const signed = { ...event, data: media.signEvent(event.data) } as WebhookEvent;
    try {
      await withDeadline(timeoutMs, () => hook(signed));
    } catch (error) {
      logger.error({ err: error, event: event.type }, 'onEvent hook failed; the write stands');
    }
  }
}
