import type { Redis } from 'ioredis';

/**
 * Refuses at once to use a connection that is not ready (connecting, reconnecting or closed).
 *
 * The Redis ports run inside the domain's per-room queue, so a command parked in ioredis' offline
 * queue during an outage would hold every write of its room until Redis came back or ioredis gave
 * up (about ten seconds with its defaults). Failing fast instead lets the domain log the failure
 * and carry on, whatever offline-queue options the caller gave the client.
 */
export function requireReady(client: Redis, who: string): void {
  if (client.status !== 'ready') {
    throw new Error(`${who}: the Redis connection is not ready (${client.status}).`);
  }
}
