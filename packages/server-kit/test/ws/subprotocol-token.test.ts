import { bearerSubprotocols, CloseCode, SOCKET_SUBPROTOCOL } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { useChat } from './fixture.js';

/*
 * Contract, "Identity, continued": a browser may send its token in the handshake instead of the
 * URL, `Sec-WebSocket-Protocol: hirechat, bearer.<token>`, and the server answers `hirechat`. The
 * inbox's own tests cover it there; these cover the room socket and what wins when both are sent.
 */
describe('WebSocket: the token in the handshake subprotocol', () => {
  const harness = useChat();

  it('lets a participant into the room and answers the subprotocol hirechat', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);

    const socket = chat.open({ room: room.uuid, token: null, protocols: bearerSubprotocols(client.token)! });

    expect(await socket.handshake).toEqual({ kind: 'open' });
    expect(socket.protocol).toBe(SOCKET_SUBPROTOCOL);
    const message = await chat.post(recruiter, room.uuid, 'hello');
    expect(await socket.nextAny()).toStrictEqual({ type: 'message_created', message, seq: 1 });
  });

  it('uses the subprotocol’s token when the URL carries another', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);

    const valid = chat.open({
      room: room.uuid,
      token: 'garbage',
      protocols: bearerSubprotocols(client.token)!,
    });
    expect(await valid.handshake).toEqual({ kind: 'open' });
    valid.send({ type: 'ping' });
    expect(await valid.nextAny()).toEqual({ type: 'pong' });

    const refused = chat.open({
      room: room.uuid,
      token: client.token,
      protocols: ['hirechat', 'bearer.garbage'],
    });
    expect((await refused.closed()).code).toBe(CloseCode.Unauthorized);
    expect(refused.received).toEqual([]);
  });

  it('takes ?token= when hirechat is offered without a bearer entry', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);

    const socket = chat.open({ room: room.uuid, token: client.token, protocols: [SOCKET_SUBPROTOCOL] });

    expect(await socket.handshake).toEqual({ kind: 'open' });
    expect(socket.protocol).toBe(SOCKET_SUBPROTOCOL);
    socket.send({ type: 'ping' });
    expect(await socket.nextAny()).toEqual({ type: 'pong' });
  });

  it('refuses an expired token or an outsider’s in the subprotocol as in the URL (4401, 4403)', async () => {
    const chat = await harness.start();
    const [recruiter, client, outsider] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const expired = chat.ts.token({ sub: client.id }, -60);

    const late = chat.open({ room: room.uuid, token: null, protocols: bearerSubprotocols(expired)! });
    expect((await late.closed()).code).toBe(CloseCode.Unauthorized);
    const stranger = chat.open({
      room: room.uuid,
      token: null,
      protocols: bearerSubprotocols(outsider.token)!,
    });
    expect((await stranger.closed()).code).toBe(CloseCode.Forbidden);
  });
});
