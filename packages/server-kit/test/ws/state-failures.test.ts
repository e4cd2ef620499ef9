import { describe, expect, it } from 'vitest';
import { InProcessPresenceState } from '../../src/presence/in-process-presence-state.js';
import { InProcessTypingState } from '../../src/typing/in-process-typing-state.js';
import { useChat } from './fixture.js';

/*
 * Typing and presence are state that the next change sends again, so a room socket whose read of
 * either fails (its store away for a moment) goes on without it: it used to be closed with 1011, a
 * socket lost because its first presence was read just as PostgreSQL went away.
 */

/** Who is online cannot be read, as when its store (the database, Redis) is away. */
class UnreadablePresence extends InProcessPresenceState {
  override async online(): Promise<string[]> {
    throw new Error('presence store unreachable');
  }
}

/** Who is typing cannot be read, as when Redis is away. */
class UnreadableTyping extends InProcessTypingState {
  override async get(): Promise<string[]> {
    throw new Error('typing store unreachable');
  }
}

describe('WebSocket: state that cannot be read', () => {
  const harness = useChat();

  it('keeps a socket open without its first presence when presence cannot be read', async () => {
    const chat = await harness.start({ presence: new UnreadablePresence() });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const socket = await chat.connect(client, room.uuid, { presence: true });

    const message = await chat.post(recruiter, room.uuid, 'still here');
    const created = await socket.next('message_created');
    expect(created.message.uuid).toBe(message.uuid);
    expect(socket.isOpen).toBe(true);
    expect(socket.received.filter((event) => event.type === 'presence')).toEqual([]);
  });

  it('ends a replay with synced, and keeps the socket open, when typing cannot be read', async () => {
    const chat = await harness.start({ typingState: new UnreadableTyping() });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const missed = await chat.post(recruiter, room.uuid, 'missed');

    const socket = await chat.connect(client, room.uuid, { since: '0' });
    expect((await socket.next('message_created')).message.uuid).toBe(missed.uuid);
    expect((await socket.next('synced')).seq).toBe(1);
    const live = await chat.post(recruiter, room.uuid, 'live');
    expect((await socket.next('message_created')).message.uuid).toBe(live.uuid);
    expect(socket.isOpen).toBe(true);
  });
});
