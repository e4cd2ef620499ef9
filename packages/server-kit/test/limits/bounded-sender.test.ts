import { once } from 'node:events';
import { CloseCode } from '@hirechat/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { BoundedSender } from '../../src/ws/bounded-sender.js';
import { SocketFeed } from '../../src/ws/socket-feed.js';

/*
 * The one way the server sends a socket a frame (ws/bounded-sender.ts), over a real socket pair whose
 * client stops reading: state (typing, presence) waits once the backlog passes half the bound, only
 * its newest frame, and goes once the client reads again; everything else still goes until the
 * bound, and past it the socket is closed with 1013 and sent nothing more; a replay is paced by the
 * client's reading instead, and closed only when the client takes nothing.
 */

const BOUND = 256 * 1024;
const FRAME = JSON.stringify({ type: 'message_created', padding: 'x'.repeat(16 * 1024) });
const TYPING = JSON.stringify({ type: 'typing', typing_users: [] });
const presence = (online: string[]) => JSON.stringify({ type: 'presence', online_users: online });

describe('BoundedSender', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** A server socket whose client has stopped reading. */
  async function laggingPair() {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const address = wss.address() as { port: number };
    const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
    const client = new WebSocket(`ws://127.0.0.1:${address.port}`);
    await once(client, 'open');
    client.pause();
    const [server] = await accepted;
    cleanups.push(() => {
      client.terminate();
      wss.close();
    });
    return { server, client };
  }

  /** Sends frames until the server holds more than `bytes` unsent (the kernel's buffers full first). */
  async function fill(sender: BoundedSender, server: WebSocket, bytes: number) {
    for (let i = 0; server.bufferedAmount <= bytes; i++) {
      sender.send(FRAME);
      // Now and then, let the kernel take what it will, as it would between events.
      if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
      if (i > 100_000) throw new Error('the backlog never grew');
    }
  }

  it('holds typing past half the bound and keeps sending the rest, then closes with 1013 past the bound', async () => {
    const { server, client } = await laggingPair();
    const sender = new BoundedSender(server, BOUND);
    await fill(sender, server, BOUND / 2);

    const held = server.bufferedAmount;
    sender.send(TYPING, 'typing');
    expect(server.bufferedAmount).toBe(held);
    sender.send(FRAME);
    expect(server.bufferedAmount).toBeGreaterThan(held);
    expect(server.readyState).toBe(WebSocket.OPEN);

    await fill(sender, server, BOUND);
    sender.send(FRAME);
    expect(server.readyState).toBe(WebSocket.CLOSING);
    const closing = server.bufferedAmount;
    sender.send(FRAME);
    expect(server.bufferedAmount).toBe(closing);

    // The client that reads again gets what was queued, then the close.
    client.resume();
    const [code, reason] = (await once(client, 'close')) as [number, Buffer];
    expect(code).toBe(CloseCode.TryAgainLater);
    expect(reason.toString()).toMatch(/faster than they were read/);
  });

  it("has a room feed's typing and presence wait as state past half the bound, and its messages go on", async () => {
    const { server } = await laggingPair();
    const sender = new BoundedSender(server, BOUND);
    const feed = new SocketFeed<{ type: string; seq?: number }>(
      sender,
      {
        replay: () => Promise.reject(new Error('no replay here')),
        stateAfterReplay: async () => [],
        admits: () => true,
      },
      () => undefined,
    );
    feed.follow(0, false);
    await fill(sender, server, BOUND / 2);

    const held = server.bufferedAmount;
    feed.push({ type: 'typing' }, TYPING);
    feed.push({ type: 'presence' }, presence(['a']));
    expect(server.bufferedAmount).toBe(held);
    feed.push({ type: 'message_created', seq: 1 }, FRAME);
    expect(server.bufferedAmount).toBeGreaterThan(held);
    feed.stop();
  });

  it('sends typing to a socket that keeps up', async () => {
    const { server, client } = await laggingPair();
    client.resume();
    const sender = new BoundedSender(server, BOUND);
    const got = once(client, 'message') as Promise<[Buffer]>;
    sender.send(TYPING, 'typing');
    expect(String((await got)[0])).toBe(TYPING);
  });

  it('sends a lagging client the newest frame of each state once it reads again, and not those it replaced', async () => {
    const { server, client } = await laggingPair();
    const sender = new BoundedSender(server, BOUND);
    await fill(sender, server, BOUND / 2);
    const held = server.bufferedAmount;
    sender.send(presence(['a']), 'presence');
    sender.send(TYPING, 'typing');
    sender.send(presence(['a', 'b']), 'presence');
    expect(server.bufferedAmount).toBe(held);

    const states: string[] = [];
    client.on('message', (data) => {
      const text = String(data);
      if (text !== FRAME) states.push(text);
    });
    client.resume();
    while (states.length < 2) await once(client, 'message');

    // The newest presence, then typing, after every frame sent before them.
    expect(states).toEqual([presence(['a', 'b']), TYPING]);
    expect(server.readyState).toBe(WebSocket.OPEN);
  });

  it('paces a replay larger than the bound to a client that reads slowly, and sends all of it', async () => {
    const { server, client } = await laggingPair();
    const sender = new BoundedSender(server, BOUND);
    const frames = 1_000; // 16 MB: more than the bound and the loopback's buffers
    const received: string[] = [];
    client.on('message', (data) => received.push(String(data).slice(0, 40)));
    // The client reads a little now and then, as a slow phone would, until the replay is sent.
    let slow = true;
    const reading = setInterval(() => {
      client.resume();
      // A pause due after the replay ended would stop the client for good.
      setTimeout(() => slow && client.pause(), 5);
    }, 50);
    cleanups.push(() => clearInterval(reading));
    let highest = 0;
    let waits = 0;
    for (let i = 0; i < frames; i++) {
      const taken = sender.sendPaced(FRAME);
      highest = Math.max(highest, server.bufferedAmount);
      if (taken) {
        waits++;
        await taken;
      }
    }
    slow = false;
    clearInterval(reading);
    client.resume();
    while (received.length < frames) await once(client, 'message');
    expect(received).toHaveLength(frames);
    expect(server.readyState).toBe(WebSocket.OPEN);
    // It waited for the client rather than holding the replay: never past the bound.
    expect(waits).toBeGreaterThan(0);
    expect(highest).toBeLessThanOrEqual(BOUND);
  });

  it('closes with 1013 a replay whose client takes nothing for the stall deadline', async () => {
    const { server, client } = await laggingPair();
    const sender = new BoundedSender(server, BOUND, 200);
    let taken: Promise<void> | undefined;
    for (let i = 0; !taken; i++) {
      taken = sender.sendPaced(FRAME);
      if (i > 100_000) throw new Error('the backlog never grew');
      if (!taken && i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    }
    await taken;
    expect(server.readyState).toBe(WebSocket.CLOSING);
    client.resume();
    const [code] = (await once(client, 'close')) as [number, Buffer];
    expect(code).toBe(CloseCode.TryAgainLater);
  });
});
