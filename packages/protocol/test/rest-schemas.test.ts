import { describe, expect, it } from 'vitest';
import {
  CreateChatRoomBodySchema,
  CreateMessageFieldsSchema,
  MessageListQuerySchema,
  parseFields,
  UpdateMessageBodySchema,
} from '../src/index.js';

const recruiter = 'fb4f2036-51e3-4bd5-8461-529a77ce5bca';
const client = '182eebdd-9a2a-4bf2-93e1-11882841cb9f';

const fieldErrors = (result: ReturnType<typeof parseFields>) => {
  if (result.success) throw new Error('expected the schema to refuse the input');
  return result.errors;
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
    expect(fieldErrors(parseFields(CreateChatRoomBodySchema, { clients: [] }))).toEqual({
      recruiter: ['This field is required.'],
      clients: ['Name at least one client.'],
    });
    expect(
      fieldErrors(parseFields(CreateChatRoomBodySchema, { recruiter, clients: [client, client] })),
    ).toEqual({
      clients: ['Clients must not repeat.'],
    });
    expect(fieldErrors(parseFields(CreateChatRoomBodySchema, { recruiter, clients: [recruiter] }))).toEqual({
      clients: ['The recruiter cannot also be a client.'],
    });
    expect(fieldErrors(parseFields(CreateChatRoomBodySchema, { recruiter, clients: ['nope'] }))).toEqual({
      'clients.0': ['Must be a valid UUID.'],
    });
  });

  it('refuses unknown fields by name', () => {
    expect(
      fieldErrors(parseFields(CreateChatRoomBodySchema, { recruiter, clients: [client], owner: 1 })),
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
      parseFields(CreateMessageFieldsSchema, { chat_room: client, content: 'x'.repeat(10_001) }),
    );
    expect(Object.keys(errors)).toEqual(['content']);
  });
});

describe('UpdateMessageBodySchema', () => {
  it('says a file cannot be replaced', () => {
    const errors = fieldErrors(parseFields(UpdateMessageBodySchema, { content: 'x', file: 'a.png' }));
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
    expect(Object.keys(fieldErrors(parseFields(MessageListQuerySchema, { limit: '201' })))).toEqual([
      'limit',
    ]);
    expect(Object.keys(fieldErrors(parseFields(MessageListQuerySchema, { limit: 'ten' })))).toEqual([
      'limit',
    ]);
    expect(
      Object.keys(fieldErrors(parseFields(MessageListQuerySchema, { before: client, after: client }))),
    ).toEqual(['before']);
    expect(fieldErrors(parseFields(MessageListQuerySchema, { chatroom: client }))).toEqual({
      chatroom: ['Unknown field.'],
    });
  });
});
