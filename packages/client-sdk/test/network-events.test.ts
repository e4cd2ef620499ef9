import { describe, expect, it } from 'vitest';
import { record } from './support/recorder.js';
import { useWorld } from './support/world.js';

describe("RoomConnection and the device's network", () => {
  const harness = useWorld();

  /**
   * A live room behind a proxy, with `network` standing in for a browser window's `online` and
   * `offline` events, a heartbeat too slow to notice anything within a test, and reconnects that
   * wait a minute unless something hurries them.
   */
  async function liveRoom() {
    const world = await harness.start();
    const [recruiter, client] = [world.user(), world.user()];
    const room = await world.room(recruiter, [client]);
    const proxy = await world.proxy();
    const network = new EventTarget();
    const live = world.connect(world.client(recruiter, { baseUrl: proxy.url }), room.uuid, {
      network,
      reconnect: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    const seen = record(live);
    await live.opened;
    const poster = world.client(client);
    const post = (content: string) => poster.messages.create({ chat_room: room.uuid, content });
    return { proxy, network, live, seen, post };
  }

  it('gives the socket up when the device goes offline, and reconnects at once when it is back', async () => {
    const { proxy, network, seen, post } = await liveRoom();
    const before = await post('before');
    await seen.until('the first message', () => seen.events.length === 1);

    // What a browser does in an outage: the socket stays "open" and carries nothing, and the
    // window says `offline`.
    proxy.freeze();
    network.dispatchEvent(new Event('offline'));
    expect(seen.statuses).toEqual(['open', 'reconnecting']);
    expect(seen.closes).toEqual([{ code: 1006, reason: 'The network went offline.' }]);

    const during = await post('while offline');
    // Back online: no minute-long backoff, the room resumes now and gets what it missed.
    network.dispatchEvent(new Event('online'));
    await seen.until('the message sent meanwhile', () => seen.events.length === 2, 5_000);

    expect(seen.events.map((event) => event.type === 'message_created' && event.message.uuid)).toEqual([
      before.uuid,
      during.uuid,
    ]);
    expect(seen.statuses).toEqual(['open', 'reconnecting', 'open']);
  });

  it('ignores `online` while the connection is open, and stops listening once closed', async () => {
    const { proxy, network, live, seen } = await liveRoom();
    network.dispatchEvent(new Event('online'));
    expect(seen.statuses).toEqual(['open']);
    expect(proxy.forwarded).toBe(1);

    live.close();
    network.dispatchEvent(new Event('offline'));
    network.dispatchEvent(new Event('online'));
    expect(seen.statuses).toEqual(['open', 'closed']);
    expect(seen.closes).toEqual([]);
    expect(proxy.forwarded).toBe(1);
  });
});
