import { describe, expect, it } from 'vitest';
import {
  ChatRoomListQuerySchema,
  ClientEventSchema,
  CreateChatRoomBodySchema,
  CreateMessageFieldsSchema,
  MessageListQuerySchema,
  NOT_STORABLE_TEXT,
  parseFields,
  UpdateMessageBodySchema,
} from '../src/index.js';

const room = '182eebdd-9a2a-4bf2-93e1-11882841cb9f';
const recruiter = 'fb4f2036-51e3-4bd5-8461-529a77ce5bca';

const errorsOf = (result: ReturnType<typeof parseFields>) => {
  if (result.success) throw new Error('expected the schema to refuse the input');
  return result.errors;
};

/** Every strict schema of the protocol, each with an input that it takes as it is. */
const STRICT_SCHEMAS = [
  ['room create', CreateChatRoomBodySchema, { recruiter, clients: [room] }],
  ['room list query', ChatRoomListQuerySchema, {}],
  ['message create', CreateMessageFieldsSchema, { chat_room: room, content: 'x' }],
  ['message update', UpdateMessageBodySchema, { content: 'x' }],
  ['message list query', MessageListQuerySchema, {}],
  ['typing event', ClientEventSchema, { type: 'typing', typing: true }],
  ['message_read event', ClientEventSchema, { type: 'message_read', message_id: room }],
  ['ping event', ClientEventSchema, { type: 'ping' }],
] as const;

/** Names of Object.prototype's properties, which a careless lookup finds on every object. */
const PROTOTYPE_KEYS = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

describe('field errors (issue 9, faults 1 and 2)', () => {
  it.each(STRICT_SCHEMAS)(
    '%s: an unknown key named after a prototype property is named, not looked up',
    (_, schema, valid) => {
      for (const key of PROTOTYPE_KEYS) {
        // An own property, `__proto__` included, as JSON.parse and the body parsers define every key.
        const input: Record<string, unknown> = { ...valid };
        Object.defineProperty(input, key, { value: 1, enumerable: true, configurable: true, writable: true });
        const errors = errorsOf(parseFields(schema, input));
        expect(Object.keys(errors), key).toEqual([key]);
        expect(Object.getOwnPropertyDescriptor(errors, key)?.value, key).toEqual(['Unknown field.']);
        expect(JSON.parse(JSON.stringify(errors)), key).toEqual(JSON.parse(`{"${key}":["Unknown field."]}`));
      }
    },
  );

  it('says that a present field has the wrong type instead of calling it required', () => {
    expect(errorsOf(parseFields(CreateMessageFieldsSchema, { chat_room: 123, content: 'x' }))).toEqual({
      chat_room: ['Must be a valid UUID, not a number.'],
    });
    expect(errorsOf(parseFields(ClientEventSchema, { type: 'typing', typing: 'yes' }))).toEqual({
      typing: ['Must be true or false, not text.'],
    });
    expect(errorsOf(parseFields(CreateMessageFieldsSchema, { chat_room: null, content: 'x' }))).toEqual({
      chat_room: ['Must be a valid UUID, not null.'],
    });
    expect(errorsOf(parseFields(CreateChatRoomBodySchema, { recruiter, clients: { 0: room } }))).toEqual({
      clients: ['Must be a list of UUIDs, not an object.'],
    });
    expect(errorsOf(parseFields(CreateChatRoomBodySchema, { recruiter, clients: [room, 7] }))).toEqual({
      'clients.1': ['Must be a valid UUID, not a number.'],
    });
    expect(errorsOf(parseFields(UpdateMessageBodySchema, { content: ['x'] }))).toEqual({
      content: ['Must be a string, not a list.'],
    });
    expect(errorsOf(parseFields(MessageListQuerySchema, { limit: 'ten' }))).toEqual({
      limit: ['Must be a whole number, not text.'],
    });
  });

  it('calls a field required only when it is absent', () => {
    expect(errorsOf(parseFields(CreateMessageFieldsSchema, { content: 'x' }))).toEqual({
      chat_room: ['This field is required.'],
    });
    expect(errorsOf(parseFields(ClientEventSchema, { type: 'typing' }))).toEqual({
      typing: ['This field is required.'],
    });
  });
});

describe('content must show something (issue 9, fault 5)', () => {
  const blanks = [' ', ' \n\t ', '\u00a0', '\u200b', '\u2060\ufeff', '\u3000', '\u0007\u001f', '\u00ad'];

  it('refuses white space and invisible characters alone, on create and on update', () => {
    for (const content of blanks) {
      expect(errorsOf(parseFields(CreateMessageFieldsSchema, { chat_room: room, content }))).toEqual({
        content: ['May not be blank.'],
      });
      expect(errorsOf(parseFields(UpdateMessageBodySchema, { content }))).toEqual({
        content: ['May not be blank.'],
      });
    }
    expect(errorsOf(parseFields(UpdateMessageBodySchema, { content: '' }))).toEqual({
      content: ['May not be blank.'],
    });
  });

  it('refuses NUL and unpaired surrogates alone, with that error only, even where the rest is blank', () => {
    for (const content of ['a\u0000b', '\u0000', '\u0000 ', 'x\ud800', '\udc00']) {
      expect(errorsOf(parseFields(CreateMessageFieldsSchema, { chat_room: room, content }))).toEqual({
        content: [NOT_STORABLE_TEXT],
      });
      expect(errorsOf(parseFields(UpdateMessageBodySchema, { content }))).toEqual({
        content: [NOT_STORABLE_TEXT],
      });
    }
  });

  it('takes any text with one visible character, and keeps its white space', () => {
    for (const content of [' x ', '\n.\n', '\u200b🙂', 'ا', '　字']) {
      expect(parseFields(CreateMessageFieldsSchema, { chat_room: room, content })).toEqual({
        success: true,
        data: { chat_room: room, content },
      });
      expect(parseFields(UpdateMessageBodySchema, { content })).toEqual({ success: true, data: { content } });
    }
  });
});
