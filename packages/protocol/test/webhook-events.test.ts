import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Message, WEBHOOK_EVENT_TYPES, type WebhookEventMap, WebhookEventSchema } from '../src/index.js';

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
const timestamp = '2024-11-18T09:09:17.000001+00:00';
const client = room.clients[0]!;

describe('WebhookEventSchema', () => {
  it('takes every webhook of the contract, with the data the contract gives it', () => {
    const events = [
      { type: 'room.created', timestamp, data: { room } },
      { type: 'room.updated', timestamp, data: { room } },
      { type: 'room.member_removed', timestamp, data: { room_id: room.uuid, user_id: client } },
      { type: 'message.created', timestamp, data: { message } },
      { type: 'message.updated', timestamp, data: { message: { ...message, is_edited: true } } },
      { type: 'message.deleted', timestamp, data: { message } },
      {
        type: 'message.read',
        timestamp,
        data: { message_id: message.uuid, user_id: client, chat_room: room.uuid },
      },
      { type: 'message.unread', timestamp, data: { message, user_id: client } },
    ];
    for (const event of events) expect(WebhookEventSchema.parse(event)).toEqual(event);
    expect(events.map((event) => event.type)).toEqual([...WEBHOOK_EVENT_TYPES]);
  });

  it('refuses a webhook without its data, with a timestamp of another form, or of a type it does not know', () => {
    const refused = [
      { type: 'message.unread', timestamp, data: { message } },
      { type: 'message.read', timestamp, data: { message_id: message.uuid, user_id: client } },
      { type: 'message.created', timestamp: '2024-11-18 09:09', data: { message } },
      { type: 'message.created', data: { message } },
      { type: 'message_created', timestamp, data: { message } },
    ];
    for (const event of refused)
      expect(WebhookEventSchema.safeParse(event).success, JSON.stringify(event)).toBe(false);
  });

  it('types each webhook by its type', () => {
    expectTypeOf<WebhookEventMap['message.unread']['data']>().toEqualTypeOf<{
      message: Message;
      user_id: string;
    }>();
  });
});
