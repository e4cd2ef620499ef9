import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@hirechat/protocol';
import {
  type BroadcastEvent,
  type Broadcaster,
  InProcessBroadcaster,
  type Topic,
  type TopicListener,
} from '@hirechat/server-kit';
import { describe, expect, it } from 'vitest';
import { ForwardingBroadcaster } from '../broadcast/forwarding-broadcaster.js';
import { useChat } from './fixture.js';

/** The in-process broadcaster, with a subscription that takes as long as a broker's would. */
class SlowToSubscribe extends ForwardingBroadcaster {
  constructor(
    inner: Broadcaster,
    private readonly delayMs: number,
  ) {
    super(inner);
  }
  override async subscribe<E extends BroadcastEvent>(room: Topic<E>, listener: TopicListener<E>) {
    await sleep(this.delayMs);
    return this.inner.subscribe(room, listener);
  }
}

/**
 * The in-process broadcaster, delivering a message whose content starts with "late" only after the
 * next event: what a reader sees when two processes publish a room's events out of order.
 */
class LateDelivery extends ForwardingBroadcaster {
  private held: (() => void) | null = null;
  override async publish(room: string, event: BroadcastEvent) {
    if (event.type === 'message_created' && event.message.content?.startsWith('late')) {
      this.held = () => void this.inner.publish(room, event);
      return;
    }
    await this.inner.publish(room, event);
    this.held?.();
    this.held = null;
  }
}

const MESSAGE_KEYS = [
  'chat_room',
  'content',
  'file',
  'file_url',
  'is_edited',
  'is_viewed',
  'job',
  'read_by',
  'sender',
  'timestamp',
  'uuid',
];

describe('WebSocket: message events', () => {
  const harness = useChat();

  /**
   * Room A: a recruiter with two sockets and a client with one. Room B: the same client and an
   * outsider, each with a socket: a socket hears its own room only, even when its user is in both.
   */
  async function twoRooms() {
    const chat = await harness.start();
    const [recruiter, client, outsider] = [chat.user(), chat.user(), chat.user()];
    const roomA = await chat.room(recruiter, [client]);
    const roomB = await chat.room(outsider, [client]);
    const inA = [
      await chat.connect(recruiter, roomA.uuid),
      await chat.connect(recruiter, roomA.uuid),
      await chat.connect(client, roomA.uuid),
    ];
    const inB = [await chat.connect(outsider, roomB.uuid), await chat.connect(client, roomB.uuid)];
    return { chat, recruiter, client, outsider, roomA, roomB, inA, inB };
  }

  it('sends message_created, exactly as the seed shows it, to every socket of the room and no other', async () => {
    const { chat, recruiter, outsider, roomA, roomB, inA, inB } = await twoRooms();

    const message = await chat.post(recruiter, roomA.uuid, 'assa');

    for (const socket of inA) {
      const event = await socket.next('message_created');
      // The seed's keys, and the additive seq: the room's first event is 1.
      expect(event).toStrictEqual({ type: 'message_created', message, seq: 1 });
      expect(Object.keys(event).sort()).toEqual(['message', 'seq', 'type']);
      expect(Object.keys(event.message).sort()).toEqual(MESSAGE_KEYS);
    }
    expect(message).toMatchObject({
      sender: recruiter.id,
      chat_room: roomA.uuid,
      file: null,
      file_url: null,
      job: null,
      content: 'assa',
      is_edited: false,
      is_viewed: false,
      read_by: [],
    });
    // Room B's own event is the first thing its sockets hear: room A's never came.
    const marker = await chat.post(outsider, roomB.uuid, 'marker');
    for (const socket of inB)
      expect(await socket.nextAny()).toStrictEqual({ type: 'message_created', message: marker, seq: 1 });
  });

  it('sends message_updated with the edited message to every socket of the room and no other', async () => {
    const { chat, recruiter, outsider, roomA, roomB, inA, inB } = await twoRooms();
    const original = await chat.post(recruiter, roomA.uuid, 'first');
    for (const socket of inA) await socket.next('message_created');

    const edited = await chat.edit(recruiter, original.uuid, 'SAlomasd');

    expect(edited).toStrictEqual({ ...original, content: 'SAlomasd', is_edited: true });
    for (const socket of inA) {
      expect(await socket.next('message_updated')).toStrictEqual({
        type: 'message_updated',
        message: edited,
        seq: 2,
      });
    }
    const marker = await chat.post(outsider, roomB.uuid, 'marker');
    for (const socket of inB)
      expect(await socket.nextAny()).toStrictEqual({ type: 'message_created', message: marker, seq: 1 });
  });

  it('sends message_deleted with the message as it was, reads and edit included, and no other room hears', async () => {
    const { chat, recruiter, client, outsider, roomA, roomB, inA, inB } = await twoRooms();
    const original = await chat.post(recruiter, roomA.uuid, 'qaleysada');
    const clientSocket = inA[2]!;
    clientSocket.send({ type: 'message_read', message_id: original.uuid });
    await clientSocket.next('message_read');
    await chat.edit(recruiter, original.uuid, 'edited before deletion');
    const asItWas = await chat.get(client, original.uuid);
    expect(asItWas).toMatchObject({ is_edited: true, is_viewed: true, read_by: [client.id] });
    for (const socket of inA) {
      await socket.next('message_created');
      await socket.next('message_updated');
    }

    await chat.remove(recruiter, original.uuid);

    for (const socket of inA) {
      expect(await socket.next('message_deleted')).toStrictEqual({
        type: 'message_deleted',
        message: asItWas,
        seq: 4,
      });
    }
    expect(await chat.list(client, roomA.uuid)).toEqual([]);
    const marker = await chat.post(outsider, roomB.uuid, 'marker');
    for (const socket of inB)
      expect(await socket.nextAny()).toStrictEqual({ type: 'message_created', message: marker, seq: 1 });
  });

  it('delivers a burst of 20 quick posts to every socket in the order they were written', async () => {
    const { chat, recruiter, client, roomA, inA } = await twoRooms();
    const count = 20;

    const posted = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        chat.post(i % 2 ? client : recruiter, roomA.uuid, `burst ${i}`),
      ),
    );

    // The list answers messages oldest first, in the order storage wrote them.
    const written = (await chat.list(recruiter, roomA.uuid)).map((message) => message.uuid);
    expect(new Set(written)).toEqual(new Set(posted.map((message) => message.uuid)));
    for (const socket of inA) {
      const heard: string[] = [];
      const seqs: number[] = [];
      for (let i = 0; i < count; i++) {
        const event = await socket.next('message_created');
        heard.push(event.message.uuid);
        seqs.push(event.seq);
      }
      expect(heard).toEqual(written);
      expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    }
    // Written order is also time order: timestamps strictly increase along it.
    const timestamps = (await chat.list(recruiter, roomA.uuid)).map((message) => message.timestamp);
    expect([...timestamps].sort()).toEqual(timestamps);
    expect(new Set(timestamps).size).toBe(count);
  });

  it('lets a socket join with the room id in upper case', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const socket = await chat.connect(client, room.uuid.toUpperCase());

    const message = await chat.post(recruiter, room.uuid, 'hello');

    expect(await socket.next('message_created')).toStrictEqual({ type: 'message_created', message, seq: 1 });
  });

  it('has every socket in its room by the time the client sees it open', async () => {
    // A broker such as Redis takes a round trip to subscribe; the socket must not open before it.
    const chat = await harness.start({ broadcaster: new SlowToSubscribe(new InProcessBroadcaster(), 50) });
    const recruiter = chat.user();
    // Fresh rooms, so that each socket is the first of its room and its subscription is new.
    for (let i = 0; i < 10; i++) {
      const client = chat.user();
      const room = await chat.room(recruiter, [client]);
      const socket = await chat.connect(client, room.uuid);
      const message = await chat.post(recruiter, room.uuid, `right after open ${i}`);
      expect(await socket.next('message_created')).toStrictEqual({
        type: 'message_created',
        message,
        seq: 1,
      });
    }
  });

  it('gives a socket opened without since the events written while its handshake completed', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    // The admission checks the room twice, and reads its seq the second time, once the room's
    // events flow here; a message is stored and heard right after that read, before the socket
    // has joined its room.
    const { storage } = chat.ts;
    const read = storage.roomAccess.bind(storage);
    let reads = 0;
    let during: Promise<Message> | undefined;
    storage.roomAccess = async (roomId, user) => {
      const answer = await read(roomId, user);
      if (++reads === 2) {
        during ??= chat.post(recruiter, room.uuid, 'during the handshake');
        await during;
      }
      return answer;
    };
    const socket = await chat.connect(client, room.uuid);

    expect(await socket.next('message_created')).toStrictEqual({
      type: 'message_created',
      message: await during,
      seq: 1,
    });
  });

  it('gives a socket opened without since an event that another process published late, in order', async () => {
    const chat = await harness.start({ broadcaster: new LateDelivery(new InProcessBroadcaster()) });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const socket = await chat.connect(client, room.uuid);

    const late = await chat.post(recruiter, room.uuid, 'late one');
    const next = await chat.post(recruiter, room.uuid, 'next one');

    expect(await socket.next('message_created')).toStrictEqual({
      type: 'message_created',
      message: late,
      seq: 1,
    });
    expect(await socket.next('message_created')).toStrictEqual({
      type: 'message_created',
      message: next,
      seq: 2,
    });
  });
});
