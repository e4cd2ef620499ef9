import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ClientEventSchema,
  isLoggedRoomEvent,
  type LoggedRoomEvent,
  type RoomEvent,
  ServerEventSchema,
  SinceParamSchema,
} from '../src/index.js';

describe('ServerEventSchema', () => {
  it("takes the seed's message_created example with the additive seq and file_url", () => {
    const seed = {
      type: 'message_created',
      message: {
        uuid: 'df34d961-22a0-46d4-8ed1-0fe8d1c35284',
        sender: '7e567d18-468b-4563-833f-b3ea48639284',
        chat_room: '6eface74-d674-4f7b-b6ce-f96ea9c091d7',
        file: null,
        file_url: null,
        job: null,
        content: 'assa',
        timestamp: '2024-11-18T09:04:16.376929+00:00',
        is_edited: false,
        is_viewed: false,
        read_by: [],
      },
      seq: 1,
    };
    expect(ServerEventSchema.parse(seed)).toEqual(seed);
  });

  it("takes the seed's typing output, and its message_read output with the additive seq", () => {
    const typing = { type: 'typing', typing_users: ['7e567d18-468b-4563-833f-b3ea48639284'] };
    const read = {
      type: 'message_read',
      message_id: '7f712df8-55b9-4641-94cd-b9efa89ad14b',
      user_id: '7e567d18-468b-4563-833f-b3ea48639284',
      seq: 7,
    };
    expect(ServerEventSchema.parse(typing)).toEqual(typing);
    expect(ServerEventSchema.parse(read)).toEqual(read);
  });

  it('refuses a timestamp without microseconds', () => {
    const result = ServerEventSchema.safeParse({
      type: 'message_deleted',
      message: {
        uuid: 'df34d961-22a0-46d4-8ed1-0fe8d1c35284',
        sender: '7e567d18-468b-4563-833f-b3ea48639284',
        chat_room: '6eface74-d674-4f7b-b6ce-f96ea9c091d7',
        file: null,
        file_url: null,
        job: null,
        content: 'x',
        timestamp: '2024-11-18T09:04:16Z',
        is_edited: false,
        is_viewed: false,
        read_by: [],
      },
    });
    expect(result.success).toBe(false);
  });
});

describe('event log additions', () => {
  const read = {
    type: 'message_read',
    message_id: '7f712df8-55b9-4641-94cd-b9efa89ad14b',
    user_id: '7e567d18-468b-4563-833f-b3ea48639284',
  };

  it('requires a positive whole seq on logged events, and none on typing', () => {
    expect(ServerEventSchema.safeParse(read).success).toBe(false);
    for (const seq of [0, -1, 1.5, '3']) {
      expect(ServerEventSchema.safeParse({ ...read, seq }).success, `seq ${String(seq)}`).toBe(false);
    }
    expect(isLoggedRoomEvent(ServerEventSchema.parse({ ...read, seq: 3 }))).toBe(true);
    expect(isLoggedRoomEvent(ServerEventSchema.parse({ type: 'typing', typing_users: [] }))).toBe(false);
    expect(isLoggedRoomEvent(ServerEventSchema.parse({ type: 'synced', seq: 3 }))).toBe(false);
  });

  it('takes resync_required and synced, whose seq may be 0', () => {
    expect(ServerEventSchema.parse({ type: 'resync_required' })).toEqual({ type: 'resync_required' });
    expect(ServerEventSchema.parse({ type: 'synced', seq: 0 })).toEqual({ type: 'synced', seq: 0 });
    expect(ServerEventSchema.safeParse({ type: 'synced' }).success).toBe(false);
  });

  it('types logged events with their seq and typing without', () => {
    expectTypeOf<Extract<RoomEvent, { type: 'typing' }>>().not.toHaveProperty('seq');
    expectTypeOf<LoggedRoomEvent['seq']>().toEqualTypeOf<number>();
    expectTypeOf<LoggedRoomEvent['type']>().toEqualTypeOf<
      'message_created' | 'message_updated' | 'message_deleted' | 'message_read' | 'room_updated'
    >();
    expectTypeOf<Extract<RoomEvent, { type: 'presence' }>>().not.toHaveProperty('seq');
  });

  it('parses ?since= as a seq or latest', () => {
    expect(SinceParamSchema.parse('0')).toBe(0);
    expect(SinceParamSchema.parse('42')).toBe(42);
    expect(SinceParamSchema.parse('latest')).toBe('latest');
    for (const bad of ['', '-1', '1.5', 'abc', '1e3', '1234567890123456']) {
      const result = SinceParamSchema.safeParse(bad);
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('Must be a whole number of 0 or more, or "latest".');
    }
  });
});

describe('ClientEventSchema', () => {
  it("takes the seed's inputs", () => {
    expect(ClientEventSchema.parse({ type: 'typing', typing: true })).toEqual({
      type: 'typing',
      typing: true,
    });
    expect(
      ClientEventSchema.parse({ type: 'message_read', message_id: '7f712df8-55b9-4641-94cd-b9efa89ad14b' }),
    ).toEqual({ type: 'message_read', message_id: '7f712df8-55b9-4641-94cd-b9efa89ad14b' });
  });

  it('refuses a typing flag that is not a boolean', () => {
    expect(ClientEventSchema.safeParse({ type: 'typing', typing: 'yes' }).success).toBe(false);
  });
});
