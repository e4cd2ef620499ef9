import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  InboxClientEventSchema,
  type InboxEvent,
  InboxServerEventSchema,
  isInboxEvent,
  RestPaths,
  ServerEventSchema,
  type UnsequencedInboxEvent,
} from '../src/index.js';

const room = {
  uuid: '6eface74-d674-4f7b-b6ce-f96ea9c091d7',
  recruiter: '7e567d18-468b-4563-833f-b3ea48639284',
  clients: ['182eebdd-9a2a-4bf2-93e1-11882841cb9f'],
  created_at: '2024-11-18T09:04:16.376929+00:00',
};
const message = {
  uuid: 'df34d961-22a0-46d4-8ed1-0fe8d1c35284',
  sender: room.recruiter,
  chat_room: room.uuid,
  file: null,
  file_url: null,
  job: null,
  content: 'hello',
  timestamp: '2024-11-18T09:04:17.000001+00:00',
  is_edited: false,
  is_viewed: false,
  read_by: [],
};

describe('InboxServerEventSchema', () => {
  it('takes every event of the contract, with the unread count where the contract gives one', () => {
    const events = [
      { type: 'room_created', room: { ...room, last_message: null, unread_count: 0 }, seq: 1 },
      { type: 'room_updated', room: { ...room, last_message: message, unread_count: 1 }, seq: 2 },
      { type: 'room_removed', room_id: room.uuid, seq: 3 },
      { type: 'message_created', message, unread_count: 4, seq: 4 },
      { type: 'message_updated', message: { ...message, is_edited: true }, seq: 5 },
      { type: 'message_deleted', message, unread_count: 3, seq: 6 },
      { type: 'unread_changed', room_id: room.uuid, unread_count: 0, seq: 7 },
      { type: 'synced', seq: 7 },
      { type: 'resync_required' },
      { type: 'pong' },
      { type: 'error', code: 'rate_limited', detail: 'Slow down.' },
    ];
    for (const event of events) expect(InboxServerEventSchema.parse(event)).toEqual(event);
    expect(events.map((event) => isInboxEvent(InboxServerEventSchema.parse(event)))).toEqual([
      ...Array(7).fill(true),
      ...Array(4).fill(false),
    ]);
  });

  it('refuses a message_created without the unread count, which the room socket does not carry', () => {
    const roomEvent = { type: 'message_created', message, seq: 1 };
    expect(ServerEventSchema.safeParse(roomEvent).success).toBe(true);
    expect(InboxServerEventSchema.safeParse(roomEvent).success).toBe(false);
  });

  it('types every inbox event with its seq', () => {
    expectTypeOf<InboxEvent['seq']>().toEqualTypeOf<number>();
    expectTypeOf<UnsequencedInboxEvent>().not.toHaveProperty('seq');
  });
});

describe('InboxClientEventSchema', () => {
  it('takes ping and nothing else', () => {
    expect(InboxClientEventSchema.parse({ type: 'ping' })).toEqual({ type: 'ping' });
    expect(InboxClientEventSchema.safeParse({ type: 'typing', typing: true }).success).toBe(false);
    expect(InboxClientEventSchema.safeParse({ type: 'ping', extra: 1 }).success).toBe(false);
  });
});

describe('room_updated and presence on room sockets', () => {
  it('carries the room without per-caller fields, and presence without a seq', () => {
    const updated = { type: 'room_updated', room, seq: 9 };
    const presence = { type: 'presence', online_users: [room.recruiter] };
    expect(ServerEventSchema.parse(updated)).toEqual(updated);
    expect(ServerEventSchema.parse(presence)).toEqual(presence);
  });
});

describe('RestPaths of rooms that change', () => {
  it('spells the paths as the contract does', () => {
    expect(RestPaths.roomDetail('r')).toBe('/chats/chat-room/detail/r/');
    expect(RestPaths.roomClients('r')).toBe('/chats/chat-room/detail/r/clients/');
    expect(RestPaths.roomClient('r', 'c')).toBe('/chats/chat-room/detail/r/clients/c/');
  });
});
