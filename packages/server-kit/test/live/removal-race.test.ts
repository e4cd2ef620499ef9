import { CloseCode, RestPaths, type ServerEvent } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import type { ChatService } from '../../src/domain/chat-service.js';
import {
  type BroadcastEvent,
  type Broadcaster,
  type Publication,
  publishEach,
  type Topic,
  type TopicListener,
} from '../../src/ports/broadcaster.js';
import { useTwoServers } from './two-servers.js';

/*
 * A removal that reaches a socket after a later event of the room. Two servers share one
 * PostgreSQL database and one broadcaster (see two-servers.ts); the first one's link to the
 * broadcaster holds the removal's event back, so that a message committed after
 * the removal, through the second, arrives first. The removed client's socket sees a gap, reads
 * it from the log, and must end at the removal: closed 4403, sent nothing after it.
 */

/** A process's link to the shared broadcaster, which can hold back the events it publishes. */
class SlowLink implements Broadcaster {
  private holding: ((event: BroadcastEvent) => boolean) | null = null;
  private readonly held: Array<() => Promise<void>> = [];
  private heldOne: (() => void) | null = null;
  private shared!: Broadcaster;

  /** Links this process to the broadcaster the processes share. */
  to(shared: Broadcaster): this {
    this.shared = shared;
    return this;
  }

  /** Holds back the next event that matches; resolves once one has been held. */
  hold(match: (event: BroadcastEvent) => boolean): Promise<void> {
    this.holding = match;
    return new Promise((resolve) => {
      this.heldOne = resolve;
    });
  }

  /** Lets the held events go, in order. */
  async release(): Promise<void> {
    this.holding = null;
    for (const send of this.held.splice(0)) await send();
  }

  publish<E extends BroadcastEvent>(topic: Topic<E>, event: E): Promise<void> {
    if (!this.holding?.(event)) return this.shared.publish(topic, event);
    return new Promise((resolve, reject) => {
      this.held.push(() => this.shared.publish(topic, event).then(resolve, reject));
      this.heldOne?.();
    });
  }

  publishAll(publications: readonly Publication[]) {
    return publishEach(this, publications);
  }

  subscribe<E extends BroadcastEvent>(topic: Topic<E>, listener: TopicListener<E>) {
    return this.shared.subscribe(topic, listener);
  }

  ping(): Promise<void> {
    return this.shared.ping();
  }

  async close(): Promise<void> {}
}

describe('a removal that reaches a socket after a later event of the room', () => {
  const twoProcesses = useTwoServers();

  it('closes the removed client with 4403 and sends them nothing after the removal', async () => {
    const links = [new SlowLink(), new SlowLink()] as const;
    const { first, second, user, call, open } = await twoProcesses({ links });
    const [recruiter, removed, staying] = [user(), user(), user()];
    const created = await call(first, recruiter.token, 'POST', RestPaths.createRoom, {
      recruiter: recruiter.id,
      clients: [removed.id, staying.id],
    });
    expect(created.status).toBe(201);
    const room = (created.body as { uuid: string }).uuid;
    const before = await call(second, staying.token, 'POST', RestPaths.createMessage, {
      chat_room: room,
      content: 'before',
    });
    expect(before.status).toBe(201);
    const socket = await open(second, room, removed.token);
    const witness = await open(second, room, staying.token);

    // The removal commits through the first process, whose link holds its event back...
    const held = links[0].hold((event) => event.type === 'room_updated');
    const removal = call(first, recruiter.token, 'DELETE', RestPaths.roomClient(room, removed.id));
    await held;
    // ...while a message committed after it, through the second, arrives first.
    const after = await call(second, staying.token, 'POST', RestPaths.createMessage, {
      chat_room: room,
      content: 'after the removal',
    });
    expect(after.status).toBe(201);

    expect(await socket.closed()).toEqual({
      code: CloseCode.Forbidden,
      reason: 'You are no longer in this chat room.',
    });
    expect(socket.received.filter((event) => event.type !== 'presence')).toEqual([]);
    await links[0].release();
    expect((await removal).status).toBe(204);

    // The others got both, in commit order (the message through the log, the removal live).
    const removalEvent = await witness.next('room_updated');
    const message = await witness.next('message_created');
    expect(message.seq).toBe(removalEvent.seq + 1);
    expect(message.message.content).toBe('after the removal');
  });

  it("answers a removed member's replay with the events up to their removal, and a re-added one's with a resync", async () => {
    const { first, user, call } = await twoProcesses();
    const chat: ChatService = first.server.plugins.hirechat.chat;
    const [recruiter, client, other] = [user(), user(), user()];
    const created = await call(first, recruiter.token, 'POST', RestPaths.createRoom, {
      recruiter: recruiter.id,
      clients: [client.id, other.id],
    });
    const room = (created.body as { uuid: string }).uuid;
    const post = (content: string) =>
      call(first, recruiter.token, 'POST', RestPaths.createMessage, { chat_room: room, content });
    const caller = { id: client.id, email: null, name: null, role: null };
    const types = (events: ServerEvent[]) => events.map((event) => event.type);

    await post('one');
    // The client's socket is let in here, and its replays are read later.
    const membership = await chat.joinRoom(caller, room);
    await call(first, recruiter.token, 'DELETE', RestPaths.roomClient(room, client.id));
    await post('two');
    // Another change of the room that leaves them out: they are still out at the log's end.
    await call(first, recruiter.token, 'DELETE', RestPaths.roomClient(room, other.id));
    const out = await chat.replay(membership, 0);
    expect(out.resync).toBe(false);
    expect(out.seq).toBe(4);
    expect(out.resync === false && types(out.events)).toEqual(['message_created', 'room_updated']);

    await call(first, recruiter.token, 'POST', RestPaths.roomClients(room), { clients: [client.id] });
    await post('three');
    // The socket let in before the removal still ends at it, though they are back since.
    const stale = await chat.replay(membership, 0);
    expect(stale.resync === false && types(stale.events)).toEqual(['message_created', 'room_updated']);
    // A socket let in after their return: the events of their time out must not be replayed to
    // it, so a resync.
    const returned = await chat.joinRoom(caller, room);
    expect(await chat.replay(returned, 0)).toEqual({ resync: true, seq: 6 });
    // After their return, the log is theirs again.
    const back = await chat.replay(returned, 5);
    expect(back.resync === false && types(back.events)).toEqual(['message_created']);
  });
});
