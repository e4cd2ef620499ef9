import { describe, expect, it } from 'vitest';
import { ClientEventSchema, ServerEventSchema } from '../src/index.js';

describe('ServerEventSchema', () => {
  it("takes the seed's message_created example as it is", () => {
    const seed = {
      type: 'message_created',
      message: {
        uuid: 'df34d961-22a0-46d4-8ed1-0fe8d1c35284',
        sender: '7e567d18-468b-4563-833f-b3ea48639284',
        chat_room: '6eface74-d674-4f7b-b6ce-f96ea9c091d7',
        file: null,
        job: null,
        content: 'assa',
        timestamp: '2024-11-18T09:04:16.376929+00:00',
        is_edited: false,
        is_viewed: false,
        read_by: [],
      },
    };
    expect(ServerEventSchema.parse(seed)).toEqual(seed);
  });

  it("takes the seed's typing and message_read outputs", () => {
    const typing = { type: 'typing', typing_users: ['7e567d18-468b-4563-833f-b3ea48639284'] };
    const read = {
      type: 'message_read',
      message_id: '7f712df8-55b9-4641-94cd-b9efa89ad14b',
      user_id: '7e567d18-468b-4563-833f-b3ea48639284',
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
