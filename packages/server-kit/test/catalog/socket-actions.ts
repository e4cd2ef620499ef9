import {
  CloseCode,
  INBOX_SOCKET_PATH,
  InboxServerEventSchema,
  roomSocketPath,
  type ServerEvent,
  type ServerEventType,
} from '@hirechat/protocol';
import type { z } from 'zod';
import type { CallerKind } from './rest-routes.js';
import type { Targets } from './world.js';

/*
 * Every WebSocket action of the contract, as data: opening a socket, and each client event sent on
 * it, with what each kind of caller gets. A new socket (the inbox) or event is one entry here.
 */

export type SocketExpected =
  /** The handshake completes and the server closes with this code (contract, "WebSocket"). */
  | { close: number }
  /** The socket opens, and (for an event sent) the server answers with this event. */
  | { event: ServerEventType; matches?: (event: ServerEvent, t: Targets, me: string) => boolean }
  /** The socket opens, and the event sent changes nothing: nothing comes before the next pong. */
  | { nothing: true };

export interface SocketAction {
  name: string;
  /** The socket's path, naming the targets. */
  path(t: Targets): string;
  /** The schema of what the socket sends, when it is not a room socket's (ServerEventSchema). */
  schema?: z.ZodType<{ type: string }>;
  /** The client event to send once open; absent for opening alone. */
  frame?(t: Targets): unknown;
  answers: Record<CallerKind, SocketExpected>;
}

const opens: SocketExpected = { event: 'pong' };
/** The inbox takes nothing but ping: any other event is answered as unknown, to anyone signed in. */
const notAnInboxEvent: SocketExpected = {
  event: 'error',
  matches: (e) => e.type === 'error' && e.code === 'unknown_event',
};
const inboxPath = () => INBOX_SOCKET_PATH;
const notInRoom: SocketExpected = { close: CloseCode.Forbidden };
const roomPath = (t: Targets) => roomSocketPath(t.room);

export const SOCKET_ACTIONS: readonly SocketAction[] = [
  {
    name: 'open /ws/chat/{room}/',
    path: roomPath,
    // Opening alone is checked with a ping: an open socket answers it.
    frame: () => ({ type: 'ping' }),
    answers: { recruiter: opens, client: opens, outsider: notInRoom, admin: notInRoom },
  },
  {
    name: 'typing on /ws/chat/{room}/',
    path: roomPath,
    frame: () => ({ type: 'typing', typing: true }),
    answers: {
      recruiter: {
        event: 'typing',
        matches: (e, _t, me) => e.type === 'typing' && e.typing_users.includes(me),
      },
      client: { event: 'typing', matches: (e, _t, me) => e.type === 'typing' && e.typing_users.includes(me) },
      outsider: notInRoom,
      admin: notInRoom,
    },
  },
  {
    name: 'message_read on /ws/chat/{room}/',
    path: roomPath,
    frame: (t) => ({ type: 'message_read', message_id: t.message }),
    answers: {
      // Reading one's own message changes nothing (contract, "WebSocket").
      recruiter: { nothing: true },
      client: {
        event: 'message_read',
        matches: (e, t, me) => e.type === 'message_read' && e.message_id === t.message && e.user_id === me,
      },
      outsider: notInRoom,
      admin: notInRoom,
    },
  },
  {
    // Everyone signed in has an inbox: their own, whatever rooms they are in.
    name: 'open /ws/inbox/',
    path: inboxPath,
    schema: InboxServerEventSchema,
    frame: () => ({ type: 'ping' }),
    answers: { recruiter: opens, client: opens, outsider: opens, admin: opens },
  },
  {
    name: 'typing on /ws/inbox/',
    path: inboxPath,
    schema: InboxServerEventSchema,
    frame: () => ({ type: 'typing', typing: true }),
    answers: {
      recruiter: notAnInboxEvent,
      client: notAnInboxEvent,
      outsider: notAnInboxEvent,
      admin: notAnInboxEvent,
    },
  },
  {
    name: 'message_read on /ws/inbox/',
    path: inboxPath,
    schema: InboxServerEventSchema,
    frame: (t) => ({ type: 'message_read', message_id: t.message }),
    answers: {
      recruiter: notAnInboxEvent,
      client: notAnInboxEvent,
      outsider: notAnInboxEvent,
      admin: notAnInboxEvent,
    },
  },
];
