import {
  CLIENT_EVENT_TYPES,
  type ErrorCode,
  type InboxServerEvent,
  type ServerEvent,
} from '@hirechat/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOAD_LIMITS } from '../catalog/load-limits.js';
import { useChat } from './fixture.js';
import type { TestSocket } from './socket.js';

/*
 * Property-based fuzzing of every client event on the room socket and the inbox socket (issue 9):
 * whatever frame a participant sends, the server answers with events of the protocol only (an
 * `error` never of code `internal`), keeps the socket open, and refuses an unknown key of any name
 * by naming it.
 */

const RUNS = 2_000;
/**
 * Each property's deadline: thousands of round trips take seconds on a quiet machine and can pass
 * the default 20 s on a loaded one (a failure seen at load 10). A deadline, not a speed check.
 */
const FUZZ_TIMEOUT_MS = 120_000;
const SEED = Number(process.env.HIRECHAT_FUZZ_SEED ?? Date.now() % 2 ** 31);

const TRICKY_KEYS = [
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__',
  'isPrototypeOf',
  'prototype',
  '',
];
/** The keys each event of the room socket knows, besides `type`. */
// A Map, not an object: the generated type may be `constructor` or `__proto__`.
const KNOWN = new Map<string, readonly string[]>([
  ['typing', ['typing']],
  ['message_read', ['message_id']],
  ['ping', []],
]);
/** The inbox takes `ping` alone; a room socket's events are unknown there. */
const INBOX_KNOWN = new Map<string, readonly string[]>([['ping', []]]);
/** The error codes a client's frame may earn; `internal` would be the server's own failure. */
const CLIENT_ERRORS: readonly ErrorCode[] = ['invalid_json', 'unknown_event', 'invalid_input', 'not_found'];

type Frame = { kind: 'text'; text: string; unknown: string[] } | { kind: 'binary'; bytes: Uint8Array };

/**
 * A JSON object frame: a known or odd type (any event of the room socket, which `known` may not
 * know), known keys with any values, and perhaps unknown keys.
 */
function objectFrame(
  messageIds: string[],
  known: ReadonlyMap<string, readonly string[]>,
): fc.Arbitrary<Frame> {
  return fc
    .record({
      type: fc.oneof(fc.constantFrom(...CLIENT_EVENT_TYPES), fc.jsonValue({ maxDepth: 1 })),
      typing: fc.option(fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })), { nil: undefined }),
      message_id: fc.option(
        fc.oneof(fc.constantFrom(...messageIds), fc.uuid(), fc.jsonValue({ maxDepth: 1 })),
        {
          nil: undefined,
        },
      ),
      extra: fc.array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...TRICKY_KEYS), fc.string({ maxLength: 8 })),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        {
          maxLength: 2,
        },
      ),
    })
    .map(({ type, typing, message_id, extra }) => {
      const members: string[] = [`"type":${JSON.stringify(type)}`];
      if (typing !== undefined) members.push(`"typing":${JSON.stringify(typing)}`);
      if (message_id !== undefined) members.push(`"message_id":${JSON.stringify(message_id)}`);
      const present = new Set(['type', 'typing', 'message_id']);
      const unknown: string[] = [];
      for (const [key, value] of extra) {
        if (present.has(key)) continue;
        present.add(key);
        // Written by hand, so that `__proto__` is sent as a key.
        members.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
        unknown.push(key);
      }
      const keys = typeof type === 'string' ? known.get(type) : undefined;
      if (keys) {
        for (const key of ['typing', 'message_id']) {
          if (!keys.includes(key) && members.some((m) => m.startsWith(`"${key}"`))) unknown.push(key);
        }
      }
      return { kind: 'text' as const, text: `{${members.join(',')}}`, unknown: keys ? unknown : [] };
    });
}

function frames(
  messageIds: string[],
  known: ReadonlyMap<string, readonly string[]> = KNOWN,
): fc.Arbitrary<Frame> {
  return fc.oneof(
    { weight: 4, arbitrary: objectFrame(messageIds, known) },
    fc
      .string({ unit: 'grapheme', maxLength: 60 })
      .map((text) => ({ kind: 'text' as const, text, unknown: [] })),
    fc
      .jsonValue({ maxDepth: 2 })
      .map((value) => ({ kind: 'text' as const, text: JSON.stringify(value), unknown: [] })),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ kind: 'binary' as const, bytes })),
  );
}

describe('fuzzing the room socket', () => {
  const harness = useChat();

  it(
    'answers any frame with protocol events only, never internal, and stays open',
    async () => {
      const chat = await harness.start({ limits: LOAD_LIMITS });
      const [recruiter, client] = [chat.user(), chat.user()];
      const room = await chat.room(recruiter, [client]);
      const messageIds = await Promise.all(
        ['a', 'b'].map(async (c) => (await chat.post(recruiter, room.uuid, c)).uuid),
      );
      const socket = await chat.connect(client, room.uuid);

      await fc.assert(
        fc.asyncProperty(frames(messageIds), (frame) =>
          expectProtocolAnswers(socket, frame, ['error', 'typing', 'message_read', 'pong']),
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

/**
 * Sends the frame and a ping, takes every answer up to the ping's pong (frames are handled in
 * order, so everything the frame caused comes first), and checks that the socket stayed open, that
 * every answer is of the `allowed` types, an `error` never of the server's own codes, and that each
 * unknown key of the frame was named.
 */
async function expectProtocolAnswers<E extends ServerEvent | InboxServerEvent>(
  socket: TestSocket<E>,
  frame: Frame,
  allowed: readonly E['type'][],
): Promise<void> {
  if (frame.kind === 'binary') socket.sendRaw(frame.bytes);
  else socket.sendRaw(frame.text);
  socket.send({ type: 'ping' });
  // A frame that is itself a ping has a pong of its own before ours.
  let pongs = frame.kind === 'text' && isBarePing(frame.text) ? 2 : 1;
  const answers: E[] = [];
  while (pongs > 0) {
    const event = await socket.nextAny();
    answers.push(event);
    if (event.type === 'pong') pongs--;
  }
  const what = `${JSON.stringify(frame)} answered ${JSON.stringify(answers)}`;
  expect(socket.isOpen, what).toBe(true);
  for (const event of answers) {
    expect(allowed, what).toContain(event.type);
    if (event.type === 'error') expect(CLIENT_ERRORS, what).toContain(event.code);
  }
  for (const key of frame.kind === 'text' ? frame.unknown : []) {
    expect(
      answers.some(
        (e) =>
          e.type === 'error' && e.code === 'invalid_input' && e.detail.includes(`${key}: Unknown field.`),
      ),
      what,
    ).toBe(true);
  }
}

/** A frame that is a valid ping on its own, which the server answers with a pong of its own. */
function isBarePing(text: string): boolean {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return value.type === 'ping' && Object.keys(value).length === 1;
  } catch {
    return false;
  }
}

describe('fuzzing the inbox socket', () => {
  const harness = useChat();

  it(
    'answers any frame with an error or a pong only, never internal, and stays open',
    async () => {
      const chat = await harness.start({ limits: LOAD_LIMITS });
      const [recruiter, client] = [chat.user(), chat.user()];
      const room = await chat.room(recruiter, [client]);
      const messageIds = [(await chat.post(recruiter, room.uuid, 'a')).uuid];
      const socket = await chat.inbox(client);

      await fc.assert(
        fc.asyncProperty(frames(messageIds, INBOX_KNOWN), (frame) =>
          expectProtocolAnswers(socket, frame, ['error', 'pong']),
        ),
        { numRuns: RUNS / 2, seed: SEED, endOnFailure: true },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
