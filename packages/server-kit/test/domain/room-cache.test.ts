import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RoomRecord } from '../../src/domain/records.js';
import { RoomCache } from '../../src/domain/room-cache.js';
import { nowTimestamp } from '../../src/domain/timestamp.js';

/** Rooms in a map, counting how often they are read: the slice of storage the cache uses. */
function roomsOnRecord() {
  const rooms = new Map<string, RoomRecord>();
  let reads = 0;
  return {
    rooms,
    reads: () => reads,
    async getRoom(uuid: string) {
      reads++;
      return rooms.get(uuid) ?? null;
    },
  };
}

const newRoom = (): RoomRecord => ({
  uuid: randomUUID(),
  recruiter: randomUUID(),
  clients: [randomUUID()],
  createdAt: nowTimestamp(),
});

describe('RoomCache', () => {
  it('reads a room from storage once, then answers it from memory', async () => {
    const storage = roomsOnRecord();
    const room = newRoom();
    storage.rooms.set(room.uuid, room);
    const cache = new RoomCache(storage);

    expect(await cache.get(room.uuid)).toEqual(room);
    expect(await cache.get(room.uuid)).toEqual(room);
    expect(storage.reads()).toBe(1);
  });

  it('keeps no miss, so that a room another process creates later is found', async () => {
    const storage = roomsOnRecord();
    const cache = new RoomCache(storage);
    const room = newRoom();

    expect(await cache.get(room.uuid)).toBeNull();
    storage.rooms.set(room.uuid, room);
    expect(await cache.get(room.uuid)).toEqual(room);
  });
});
