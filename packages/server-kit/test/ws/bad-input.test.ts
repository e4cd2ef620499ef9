import { CloseCode, type ErrorCode, MAX_FRAME_BYTES } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { useChat } from './fixture.js';
import type { TestSocket } from './socket.js';

/** The socket still works: its typing reaches it, and it was the next thing it heard. */
async function expectStillServed(socket: TestSocket, user: string): Promise<void> {
  socket.send({ type: 'typing', typing: true });
  expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [user] });
}

describe('WebSocket: bad input', () => {
  const harness = useChat();

  async function member() {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const socket = await chat.connect(client, room.uuid);
    const observer = await chat.connect(recruiter, room.uuid);
    return { chat, recruiter, client, room, socket, observer };
  }

  /**
   * Sends the frame from a fresh member's socket and expects an error event with the code in
   * answer, on that socket only, which stays open. Answers the detail.
   */
  async function expectError(frame: string | Uint8Array, code: ErrorCode): Promise<string> {
    const { client, socket, observer } = await member();
    socket.sendRaw(frame);
    const event = await socket.nextAny();
    expect(event).toStrictEqual({ type: 'error', code, detail: expect.any(String) });
    const detail = event.type === 'error' ? event.detail : '';
    expect(detail).not.toBe('');
    expect(socket.isOpen).toBe(true);
    await expectStillServed(socket, client.id);
    // The error went to the sender alone: the rest of the room heard only the typing.
    expect(await observer.nextAny()).toStrictEqual({ type: 'typing', typing_users: [client.id] });
    return detail;
  }

  it('answers a frame that is not JSON with invalid_json and keeps the socket open', async () => {
    await expectError('{"type": "typing", ', 'invalid_json');
  });

  it('answers JSON that is not an object (a number, a list, null) with invalid_json', async () => {
    for (const frame of ['42', '[]', 'null']) await expectError(frame, 'invalid_json');
  });

  it('answers an unknown event type with unknown_event', async () => {
    await expectError(JSON.stringify({ type: 'message_created', message: {} }), 'unknown_event');
  });

  it('answers an object without a type with unknown_event', async () => {
    await expectError(JSON.stringify({ typing: true }), 'unknown_event');
  });

  it('answers a typing event without its field with invalid_input naming the field', async () => {
    expect(await expectError(JSON.stringify({ type: 'typing' }), 'invalid_input')).toMatch(/typing/);
  });

  it('answers a typing event whose field has the wrong type with invalid_input', async () => {
    expect(await expectError(JSON.stringify({ type: 'typing', typing: 'yes' }), 'invalid_input')).toMatch(
      /typing/,
    );
  });

  it('answers a message_read without a message id with invalid_input naming the field', async () => {
    expect(await expectError(JSON.stringify({ type: 'message_read' }), 'invalid_input')).toMatch(
      /message_id/,
    );
  });

  it('answers a message_read whose id is not a UUID with invalid_input', async () => {
    expect(
      await expectError(JSON.stringify({ type: 'message_read', message_id: 'nope' }), 'invalid_input'),
    ).toMatch(/message_id/);
  });

  it('answers a binary frame with an error and keeps the socket open', async () => {
    await expectError(Buffer.from(JSON.stringify({ type: 'typing', typing: true })), 'invalid_json');
  });

  it('answers a message_read for a message of another room with not_found, and reads nothing', async () => {
    const { chat, client, socket, observer } = await member();
    const stranger = chat.user();
    const elsewhere = await chat.room(stranger, [client]);
    const foreign = await chat.post(stranger, elsewhere.uuid, 'in the other room');

    socket.send({ type: 'message_read', message_id: foreign.uuid });

    expect(await socket.nextAny()).toStrictEqual({
      type: 'error',
      code: 'not_found',
      detail: expect.any(String),
    });
    await expectStillServed(socket, client.id);
    expect(await observer.nextAny()).toMatchObject({ type: 'typing' });
    expect(await chat.get(stranger, foreign.uuid)).toStrictEqual(foreign);
  });

  it('answers a message_read for a message that does not exist with not_found', async () => {
    const { client, socket } = await member();

    socket.send({ type: 'message_read', message_id: '00000000-0000-4000-8000-000000000000' });

    expect(await socket.nextAny()).toStrictEqual({
      type: 'error',
      code: 'not_found',
      detail: expect.any(String),
    });
    await expectStillServed(socket, client.id);
  });

  it("handles a socket's frames in the order it sent them, so that errors line up with their frames", async () => {
    const { chat, client, socket } = await member();
    const stranger = chat.user();
    const elsewhere = await chat.room(stranger, [client]);
    const foreign = await chat.post(stranger, elsewhere.uuid, 'in the other room');

    // The first needs a lookup before its answer; the second and third are answered at once.
    socket.send({ type: 'message_read', message_id: foreign.uuid });
    socket.sendRaw('not json');
    socket.send({ type: 'typing', typing: true });

    expect(await socket.nextAny()).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await socket.nextAny()).toMatchObject({ type: 'error', code: 'invalid_json' });
    expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [client.id] });
  });

  it(`takes a frame of exactly ${MAX_FRAME_BYTES} bytes`, async () => {
    const { client, socket } = await member();
    const envelope = JSON.stringify({ type: 'typing', typing: true, padding: '' });
    const frame = JSON.stringify({
      type: 'typing',
      typing: true,
      padding: 'x'.repeat(MAX_FRAME_BYTES - envelope.length),
    });
    expect(Buffer.byteLength(frame)).toBe(MAX_FRAME_BYTES);

    socket.sendRaw(frame);

    // Strict events refuse the unknown key; what matters is that the frame was read, not dropped.
    expect(await socket.nextAny()).toMatchObject({ type: 'error', code: 'invalid_input' });
    await expectStillServed(socket, client.id);
  });

  it(`closes with 1009 on a frame over ${MAX_FRAME_BYTES} bytes`, async () => {
    const { socket } = await member();

    socket.sendRaw('x'.repeat(MAX_FRAME_BYTES + 1));

    expect((await socket.closed()).code).toBe(CloseCode.MessageTooBig);
  });

  it('clears the typing of a user whose socket was closed for a frame too big', async () => {
    const { client, socket, observer } = await member();
    socket.send({ type: 'typing', typing: true });
    expect(await observer.next('typing')).toStrictEqual({ type: 'typing', typing_users: [client.id] });

    socket.sendRaw('x'.repeat(MAX_FRAME_BYTES + 1));

    expect((await socket.closed()).code).toBe(CloseCode.MessageTooBig);
    expect(await observer.next('typing')).toStrictEqual({ type: 'typing', typing_users: [] });
  });
});
