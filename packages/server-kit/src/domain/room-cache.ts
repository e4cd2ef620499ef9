import type { ChatStorage } from '../ports/chat-storage.js';
import type { RoomRecord } from './records.js';

/** How many rooms a process keeps before it forgets the oldest. */
const MAX_ROOMS = 10_000;

/**
 * Rooms as storage last answered them. A room never changes once created (the contract has no way
 * to change who is in it), so a process may keep it: every post, read and socket join checks
 * membership, and reading a room of a thousand clients each time was the hot path's largest query.
 * Misses are not kept: another process may create the room a moment later.
 */
export class RoomCache {
  private readonly rooms = new Map<string, RoomRecord>();

  constructor(private readonly storage: Pick<ChatStorage, 'getRoom'>) {}

  async get(uuid: string): Promise<RoomRecord | null> {
    const kept = this.rooms.get(uuid);
    if (kept) return kept;
    const room = await this.storage.getRoom(uuid);
    if (room) {
      if (this.rooms.size >= MAX_ROOMS) this.rooms.delete(this.rooms.keys().next().value as string);
      this.rooms.set(uuid, room);
    }
    return room;
  }
}
