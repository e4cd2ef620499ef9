import { describe, expect, it } from 'vitest';
import {
  CreateChatRoomBodySchema,
  CreateMessageFieldsSchema,
  MessageListQuerySchema,
  toFieldErrors,
  UpdateMessageBodySchema,
} from '../src/index.js';

const recruiter = 'fb4f2036-51e3-4bd5-8461-529a77ce5bca';
const client = '182eebdd-9a2a-4bf2-93e1-11882841cb9f';

const fieldErrors = (result: { success: boolean; error?: unknown }) => {
  if (result.success) throw new Error('expected the schema to refuse the input');
  return toFieldErrors(result.error as never);
};

describe('CreateChatRoomBodySchema', () => {
  it('takes the seed example and lowercases UUIDs', () => {
    const body = CreateChatRoomBodySchema.parse({ recruiter: recruiter.toUpperCase(), clients: [client] });
    expect(body).toEqual({ recruiter, clients: [client] });
  });

  it('takes a single form value as a one-client list', () => {
    expect(CreateChatRoomBodySchema.parse({ recruiter, clients: client }).clients).toEqual([client]);
  });

  it('names the field of each broken rule', () => {
    expect(fieldErrors(CreateChatRoomBodySchema.safeParse({ clients: [] }))).toEqual({
      recruiter: ['This field is required.'],
      clients: ['Name at least one client.'],
    });
    expect(fieldErrors(CreateChatRoomBodySchema.safeParse({ recruiter, clients: [client, client] }))).toEqual(
      {
        clients: ['Clients must not repeat.'],
      },
    );
    expect(fieldErrors(CreateChatRoomBodySchema.safeParse({ recruiter, clients: [recruiter] }))).toEqual({
      clients: ['The recruiter cannot also be a client.'],
    });
    expect(fieldErrors(CreateChatRoomBodySchema.safeParse({ recruiter, clients: ['nope'] }))).toEqual({
      'clients.0': ['Must be a valid UUID.'],
    });
  });

  it('refuses unknown fields by name', () => {
    expect(
      fieldErrors(CreateChatRoomBodySchema.safeParse({ recruiter, clients: [client], owner: 1 })),
    ).toEqual({
      owner: ['Unknown field.'],
    });
  });
});

describe('CreateMessageFieldsSchema', () => {
  it('reads empty form fields as not given', () => {
    expect(CreateMessageFieldsSchema.parse({ chat_room: client, job: '', content: '' })).toEqual({
      chat_room: client,
      job: null,
      content: null,
    });
  });

  it('refuses content over the limit', () => {
    const errors = fieldErrors(
      CreateMessageFieldsSchema.safeParse({ chat_room: client, content: 'x'.repeat(10_001) }),
    );
    expect(Object.keys(errors)).toEqual(['content']);
  });
});

describe('UpdateMessageBodySchema', () => {
  it('says a file cannot be replaced', () => {
    const errors = fieldErrors(UpdateMessageBodySchema.safeParse({ content: 'x', file: 'a.png' }));
    expect(errors.file?.[0]).toMatch(/Delete the message and create it again/);
  });

  it('keeps only the content', () => {
    expect(UpdateMessageBodySchema.parse({ content: 'edited' })).toEqual({ content: 'edited' });
  });
});

describe('MessageListQuerySchema', () => {
  it('defaults the limit and reads it from a query string', () => {
    expect(MessageListQuerySchema.parse({}).limit).toBe(50);
    expect(MessageListQuerySchema.parse({ limit: '200' }).limit).toBe(200);
  });

  it('refuses limits out of range, both cursors, and unknown filters', () => {
    expect(Object.keys(fieldErrors(MessageListQuerySchema.safeParse({ limit: '201' })))).toEqual(['limit']);
    expect(Object.keys(fieldErrors(MessageListQuerySchema.safeParse({ limit: 'ten' })))).toEqual(['limit']);
    expect(
      Object.keys(fieldErrors(MessageListQuerySchema.safeParse({ before: client, after: client }))),
    ).toEqual(['before']);
    expect(fieldErrors(MessageListQuerySchema.safeParse({ chatroom: client }))).toEqual({
      chatroom: ['Unknown field.'],
    });
  });
});
