import { randomUUID } from 'node:crypto';
import { createHirechatRooms, hirechatSocketUrl } from '../hirechat-setup.js';
import type { RunningServer } from '../servers.js';
import { type SocketSpec, speaksHirechat, type WriterTarget } from '../wire.js';

/** Rooms on one server: who writes to them, which sockets listen, and how many per room. */
export interface Layout {
  writer: WriterTarget;
  sockets: SocketSpec[];
  /** Members of each room, in the writer's room order. */
  members: number[];
}

/**
 * Makes rooms of the given sizes on `server` (over REST for hirechat and the floor; the references make a
 * room when its first socket arrives). Sockets alternate over `socketServers`, which default to
 * the server itself: scale-out passes two hirechat processes that share a database and Redis.
 */
export async function makeLayout(
  server: RunningServer,
  sizes: number[],
  jwtSecret: string,
  socketServers: RunningServer[] = [server],
): Promise<Layout> {
  const sockets: SocketSpec[] = [];
  const socketServer = () => socketServers[sockets.length % socketServers.length]!;
  if (speaksHirechat(server.kind)) {
    const made = await createHirechatRooms(server.baseUrl, jwtSecret, sizes);
    for (const room of made.rooms) {
      for (const token of room.memberTokens) {
        sockets.push({ kind: 'hirechat', url: hirechatSocketUrl(socketServer().baseUrl, room.uuid, token) });
      }
    }
    return {
      writer: {
        kind: 'rest',
        baseUrl: server.baseUrl,
        token: made.writerToken,
        rooms: made.rooms.map((room) => room.uuid),
      },
      sockets,
      members: sizes,
    };
  }
  const rooms = sizes.map(() => randomUUID());
  rooms.forEach((room, index) => {
    for (let member = 0; member < sizes[index]!; member++) {
      const base = socketServer().baseUrl;
      sockets.push(
        server.kind === 'ws'
          ? { kind: 'ws', url: `${base.replace(/^http/, 'ws')}/${room}` }
          : { kind: 'socketio', url: base, room },
      );
    }
  });
  return {
    writer: { kind: server.kind, baseUrl: server.baseUrl, rooms },
    sockets,
    members: sizes,
  };
}

/** Room sizes for `total` members in rooms of `size` (the last one may be smaller). */
export function roomSizes(total: number, size: number): number[] {
  const sizes: number[] = [];
  for (let left = total; left > 0; left -= size) sizes.push(Math.min(size, left));
  return sizes;
}
