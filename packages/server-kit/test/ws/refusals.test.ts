import { randomUUID } from 'node:crypto';
import { CloseCode } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { type Chat, useChat } from './fixture.js';
import type { TestSocket } from './socket.js';

/** The contract's refusals: the handshake succeeds, then the server closes with the code. */
async function expectRefused(socket: TestSocket, code: number): Promise<void> {
  expect(await socket.handshake).toEqual({ kind: 'open' });
  const closed = await socket.closed();
  expect(closed.code).toBe(code);
  expect(closed.reason).not.toBe('');
  expect(socket.received).toEqual([]);
}

/** The token's `exp`, in milliseconds. */
function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
    exp: number;
  };
  return payload.exp * 1000;
}

describe('WebSocket: refusals', () => {
  const harness = useChat();

  async function roomOf(chat: Chat) {
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    return { recruiter, client, room };
  }

  it('closes with 4401 when there is no token', async () => {
    const chat = await harness.start();
    const { room } = await roomOf(chat);

    await expectRefused(chat.open({ room: room.uuid, token: null }), CloseCode.Unauthorized);
  });

  it('closes with 4401 when the token is empty', async () => {
    const chat = await harness.start();
    const { room } = await roomOf(chat);

    await expectRefused(chat.open({ room: room.uuid, token: '' }), CloseCode.Unauthorized);
  });

  it('closes with 4401 for a garbage token', async () => {
    const chat = await harness.start();
    const { room } = await roomOf(chat);

    await expectRefused(chat.open({ room: room.uuid, token: 'not-a-jwt' }), CloseCode.Unauthorized);
  });

  it('closes with 4401 for a token signed with another secret', async () => {
    const chat = await harness.start();
    const other = await harness.start();
    const { client, room } = await roomOf(chat);

    const token = other.ts.token({ sub: client.id });
    await expectRefused(chat.open({ room: room.uuid, token }), CloseCode.Unauthorized);
  });

  it('closes with 4401 for an expired token', async () => {
    const chat = await harness.start();
    const { client, room } = await roomOf(chat);

    const token = chat.ts.token({ sub: client.id }, -10);
    await expectRefused(chat.open({ room: room.uuid, token }), CloseCode.Unauthorized);
  });

  it("closes with 4401 when a connected socket's token expires", async () => {
    const chat = await harness.start();
    const { recruiter, client, room } = await roomOf(chat);
    const token = chat.ts.token({ sub: client.id }, 2);
    const socket = await chat.connect({ id: client.id, token }, room.uuid);
    // Until then the socket works as any other.
    const message = await chat.post(recruiter, room.uuid, 'before expiry');
    expect(await socket.next('message_created')).toStrictEqual({ type: 'message_created', message, seq: 1 });

    const closed = await socket.closed(5_000);

    expect(closed.code).toBe(CloseCode.Unauthorized);
    // At expiry, not before: `exp` is in whole seconds.
    expect(Date.now()).toBeGreaterThanOrEqual(expiryOf(token) - 20);
  });

  it('closes with 4403 for a signed-in user who is not in the room', async () => {
    const chat = await harness.start();
    const { room } = await roomOf(chat);

    await expectRefused(chat.open({ room: room.uuid, token: chat.user().token }), CloseCode.Forbidden);
  });

  it('closes with 4404 for a room that does not exist', async () => {
    const chat = await harness.start();

    await expectRefused(chat.open({ room: randomUUID(), token: chat.user().token }), CloseCode.NotFound);
  });

  it('closes with 4404 for a room id that is not a UUID', async () => {
    const chat = await harness.start();

    await expectRefused(chat.open({ room: 'not-a-uuid', token: chat.user().token }), CloseCode.NotFound);
  });

  it('checks the token before the room: a bad token for a missing room is 4401', async () => {
    const chat = await harness.start();

    await expectRefused(chat.open({ room: randomUUID(), token: 'garbage' }), CloseCode.Unauthorized);
  });

  it('sends a refused socket none of the room events', async () => {
    const chat = await harness.start();
    const { recruiter, client, room } = await roomOf(chat);
    const outsider = chat.open({ room: room.uuid, token: chat.user().token });
    const member = await chat.connect(client, room.uuid);

    expect((await outsider.closed()).code).toBe(CloseCode.Forbidden);
    await chat.post(recruiter, room.uuid, 'members only');
    await member.next('message_created');

    expect(outsider.received).toEqual([]);
  });

  describe('with allowed origins', () => {
    const allowedOrigins = ['https://app.example'];

    it('refuses the handshake of another origin with 403', async () => {
      const chat = await harness.start({ allowedOrigins });
      const { client, room } = await roomOf(chat);

      const socket = chat.open({ room: room.uuid, token: client.token, origin: 'https://evil.example' });

      expect(await socket.handshake).toEqual({ kind: 'refused', status: 403 });
    });

    it('lets the allowed origin in', async () => {
      const chat = await harness.start({ allowedOrigins });
      const { recruiter, client, room } = await roomOf(chat);

      const socket = await chat.connect(client, room.uuid, { origin: 'https://app.example' });
      const message = await chat.post(recruiter, room.uuid, 'from the app');

      expect(await socket.next('message_created')).toStrictEqual({
        type: 'message_created',
        message,
        seq: 1,
      });
    });

    it('lets a client that sends no Origin in (not a browser)', async () => {
      const chat = await harness.start({ allowedOrigins });
      const { recruiter, client, room } = await roomOf(chat);

      const socket = await chat.connect(client, room.uuid);
      const message = await chat.post(recruiter, room.uuid, 'from a server');

      expect(await socket.next('message_created')).toStrictEqual({
        type: 'message_created',
        message,
        seq: 1,
      });
    });
  });
});
