import { randomUUID } from 'node:crypto';

/*
 * What the load generators send and recognise. Every message's content carries the step it belongs
 * to and the moment its writer sent it, so that a subscriber in another process measures delivery
 * latency on the one machine-wide clock (see clock.ts) without asking anyone.
 */

/**
 * hirechat; the floor (bench/servers/floor.ts), hirechat's message create done with bare parts and
 * speaking hirechat's wire; and the two references, which relay and store nothing.
 */
export type ServerKind = 'hirechat' | 'floor' | 'ws' | 'socketio';

export const SERVER_KINDS: readonly ServerKind[] = ['hirechat', 'floor', 'ws', 'socketio'];

export const SERVER_LABELS: Record<ServerKind, string> = {
  hirechat: 'hirechat',
  floor: 'floor',
  ws: 'bare ws',
  socketio: 'Socket.IO',
};

/** Whether the server speaks hirechat's wire (REST writes, token in the socket URL). */
export const speaksHirechat = (kind: ServerKind) => kind === 'hirechat' || kind === 'floor';

/** One socket a subscriber opens. hirechat's URL (and the floor's) carries the room and the member's token. */
export type SocketSpec =
  | { kind: 'hirechat' | 'ws'; url: string }
  | { kind: 'socketio'; url: string; room: string };

/** How a writer reaches the rooms it posts to, round robin: hirechat's REST, or the references' sockets. */
export type WriterTarget =
  | { kind: 'rest'; baseUrl: string; token: string; rooms: string[] }
  | { kind: 'ws' | 'socketio'; baseUrl: string; rooms: string[] };

const PREFIX = 'bench';

export function stampContent(step: number, seq: number, sentAtMs: number): string {
  return `${PREFIX}|${step}|${seq}|${sentAtMs.toFixed(3)}`;
}

/** The step and send time of a bench message, or null for any other content. */
export function readStamp(content: unknown): { step: number; sentAtMs: number } | null {
  if (typeof content !== 'string' || !content.startsWith(PREFIX)) return null;
  const parts = content.split('|');
  const step = Number(parts[1]);
  const sentAtMs = Number(parts[3]);
  return Number.isFinite(step) && Number.isFinite(sentAtMs) ? { step, sentAtMs } : null;
}

const REFERENCE_SENDER = '00000000-0000-4000-8000-00000000b0b0';

/**
 * The event the reference servers relay: a `message_created` shaped and sized like hirechat's, so
 * that every server moves the same bytes and every subscriber parses the same JSON.
 */
export function referenceEvent(room: string, content: string) {
  return {
    type: 'message_created' as const,
    message: {
      uuid: randomUUID(),
      sender: REFERENCE_SENDER,
      chat_room: room,
      file: null,
      file_url: null,
      job: null,
      content,
      timestamp: `${new Date().toISOString().slice(0, 23)}000+00:00`,
      is_edited: false,
      is_viewed: false,
      read_by: [] as string[],
    },
  };
}
