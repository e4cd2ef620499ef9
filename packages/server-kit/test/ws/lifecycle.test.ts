import { CloseCode } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { useChat } from './fixture.js';

describe('WebSocket: server lifecycle', () => {
  const harness = useChat();

  it('closes every socket with 1001 when the server stops', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const first = await chat.room(recruiter, [client]);
    const second = await chat.room(client, [recruiter]);
    const sockets = [
      await chat.connect(recruiter, first.uuid),
      await chat.connect(client, first.uuid),
      await chat.connect(client, second.uuid),
    ];

    await chat.ts.server.stop();

    for (const socket of sockets) expect((await socket.closed()).code).toBe(CloseCode.GoingAway);
  });

  it('drops a client that stops answering pings, and keeps one that answers', async () => {
    const chat = await harness.start({ pingIntervalMs: 200 });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const live = await chat.connect(recruiter, room.uuid);
    const dead = await chat.connect(client, room.uuid, { autoPong: false });
    const pinged = new Promise<void>((resolve) => dead.ws.once('ping', () => resolve()));

    await pinged;
    // The server ends the connection without a close frame: the client sees an abnormal closure.
    expect((await dead.closed(2_000)).code).toBe(1006);

    // Two more rounds of pings later, the live socket is still served.
    let pings = 0;
    await new Promise<void>((resolve) =>
      live.ws.on('ping', () => {
        if (++pings === 2) resolve();
      }),
    );
    expect(live.isOpen).toBe(true);
    const message = await chat.post(recruiter, room.uuid, 'still here');
    expect(await live.next('message_created')).toStrictEqual({ type: 'message_created', message });
  });

  it('clears the typing of a client dropped for not answering pings', async () => {
    const chat = await harness.start({ pingIntervalMs: 200 });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const live = await chat.connect(recruiter, room.uuid);
    const dead = await chat.connect(client, room.uuid, { autoPong: false });
    dead.send({ type: 'typing', typing: true });
    expect(await live.next('typing')).toStrictEqual({ type: 'typing', typing_users: [client.id] });

    expect((await dead.closed(2_000)).code).toBe(1006);

    expect(await live.next('typing')).toStrictEqual({ type: 'typing', typing_users: [] });
  });
});
