import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ChatClient, RoomConnectionError } from '../src/index.js';
import { record } from './support/recorder.js';
import { useWorld, type World } from './support/world.js';

/** A WebSocket handshake as the server received it. */
interface Handshake {
  url: string;
  protocol: string | undefined;
}

/** Every handshake the server receives from now on (a listener beside the server's own). */
function handshakes(world: World): Handshake[] {
  const seen: Handshake[] = [];
  world.server.server.listener.on('upgrade', (request: IncomingMessage) => {
    seen.push({ url: request.url ?? '', protocol: request.headers['sec-websocket-protocol'] });
  });
  return seen;
}

describe('the access token of a socket', () => {
  const harness = useWorld();

  it('travels in the handshake subprotocol by default, never in the URL, for rooms and the inbox', async () => {
    const world = await harness.start();
    const [recruiter, ana] = [world.user(), world.user()];
    const room = await world.room(recruiter, [ana]);
    const seen = handshakes(world);
    const tokens: string[] = [];
    const chat = world.client(recruiter, {
      token: () => {
        const token = world.server.token({ sub: recruiter });
        tokens.push(token);
        return token;
      },
    });

    const live = world.connect(chat, room.uuid);
    const events = record(live);
    const inbox = world.inbox(chat);
    await Promise.all([live.opened, inbox.opened]);
    // Both work: the server took the token from the subprotocol.
    await world.client(ana).messages.create({ chat_room: room.uuid, content: 'hi' });
    await events.until('the message', () => events.events.length === 1);
    expect(inbox.room(room.uuid)?.unread_count).toBe(1);

    expect(seen.map((handshake) => new URL(handshake.url, 'http://x').pathname).sort()).toEqual(
      [`/ws/chat/${room.uuid}/`, '/ws/inbox/'].sort(),
    );
    for (const handshake of seen) {
      expect(handshake.url).not.toMatch(/token/);
      expect(new URL(handshake.url, 'http://x').searchParams.get('since')).toBe('latest');
      const [subprotocol, bearer] = handshake.protocol?.split(',').map((protocol) => protocol.trim()) ?? [];
      expect(subprotocol).toBe('hirechat');
      expect(bearer).toMatch(/^bearer\./);
      expect(tokens).toContain(bearer?.slice('bearer.'.length));
    }
  });

  it('travels as ?token= with socketToken: query', async () => {
    const world = await harness.start();
    const [recruiter, ana] = [world.user(), world.user()];
    const room = await world.room(recruiter, [ana]);
    const seen = handshakes(world);
    const token = world.server.token({ sub: recruiter });
    const chat = new ChatClient({ baseUrl: world.server.url, token, socketToken: 'query' });

    const live = world.connect(chat, room.uuid);
    const inbox = world.inbox(chat);
    await Promise.all([live.opened, inbox.opened]);

    expect(seen).toHaveLength(2);
    for (const handshake of seen) {
      expect(new URL(handshake.url, 'http://x').searchParams.get('token')).toBe(token);
      expect(handshake.protocol).toBeUndefined();
    }
  });

  it('refuses, as the server would (4401), a token that cannot travel in a handshake, without sending it', async () => {
    const world = await harness.start();
    const [recruiter, ana] = [world.user(), world.user()];
    const room = await world.room(recruiter, [ana]);
    const seen = handshakes(world);
    const chat = new ChatClient({ baseUrl: world.server.url, token: 'not a token' });

    const live = world.connect(chat, room.uuid);
    const closes = record(live);

    await expect(live.opened).rejects.toEqual(
      new RoomConnectionError(
        'not_authenticated',
        'The access token cannot be sent in the WebSocket handshake.',
      ),
    );
    expect(closes.closes).toEqual([
      { code: 4401, reason: 'The access token cannot be sent in the WebSocket handshake.' },
    ]);
    expect(live.status).toBe('closed');
    expect(seen).toEqual([]);
  });
});
