import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useChat } from './fixture.js';

/** Property names that every object has: user-supplied keys must never be looked up among them. */
const PROTOTYPE_KEYS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf'];

/** A valid frame of each client event, as JSON text without its closing brace. */
const EVENTS = [
  ['typing', '{"type":"typing","typing":true'],
  ['message_read', `{"type":"message_read","message_id":"${randomUUID()}"`],
  ['ping', '{"type":"ping"'],
] as const;

/** Issue 9, faults 1 and 2 on the socket: field errors of client events say the right thing. */
describe('WebSocket: field errors', () => {
  const harness = useChat();

  async function socketOfMember() {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    return { socket: await chat.connect(client, room.uuid), client };
  }

  it('names a field called after a prototype property (invalid_input, not internal), on every event', async () => {
    const { socket } = await socketOfMember();
    for (const [type, open] of EVENTS) {
      for (const key of PROTOTYPE_KEYS) {
        socket.sendRaw(`${open},"${key}":1}`);
        expect(await socket.nextAny(), `${type} with ${key}`).toStrictEqual({
          type: 'error',
          code: 'invalid_input',
          detail: `${key}: Unknown field.`,
        });
      }
    }
    // Still served, and nothing else happened on the way.
    socket.send({ type: 'ping' });
    expect(await socket.nextAny()).toStrictEqual({ type: 'pong' });
  });

  it('says that a field has the wrong type instead of calling it required', async () => {
    const { socket } = await socketOfMember();
    const cases = [
      [{ type: 'typing', typing: 'yes' }, 'typing: Must be true or false, not text.'],
      [{ type: 'typing', typing: null }, 'typing: Must be true or false, not null.'],
      [{ type: 'message_read', message_id: 5 }, 'message_id: Must be a valid UUID, not a number.'],
      [{ type: 'message_read', message_id: [randomUUID()] }, 'message_id: Must be a valid UUID, not a list.'],
      [{ type: 'typing' }, 'typing: This field is required.'],
    ] as const;
    for (const [frame, detail] of cases) {
      socket.send(frame);
      expect(await socket.nextAny()).toStrictEqual({ type: 'error', code: 'invalid_input', detail });
    }
  });
});
