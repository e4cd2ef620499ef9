import { describe, expect, it } from 'vitest';
import { useChat } from './fixture.js';

describe('WebSocket: message_read', () => {
  const harness = useChat();

  /** A recruiter who wrote a message, and two clients; each has a socket in the room. */
  async function messageInRoom() {
    const chat = await harness.start();
    const [author, reader, other] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(author, [reader, other]);
    const sockets = {
      author: await chat.connect(author, room.uuid),
      reader: await chat.connect(reader, room.uuid),
      other: await chat.connect(other, room.uuid),
    };
    const all = Object.values(sockets);
    const message = await chat.post(author, room.uuid, 'please read');
    for (const socket of all) await socket.next('message_created');
    return { chat, author, reader, other, room, sockets, all, message };
  }

  it('adds the reader and tells the whole room, exactly as the seed shows it', async () => {
    const { chat, author, reader, sockets, all, message } = await messageInRoom();

    sockets.reader.send({ type: 'message_read', message_id: message.uuid });

    for (const socket of all) {
      expect(await socket.nextAny()).toStrictEqual({
        type: 'message_read',
        message_id: message.uuid,
        user_id: reader.id,
        seq: 2,
      });
    }
    expect(await chat.get(author, message.uuid)).toStrictEqual({
      ...message,
      is_viewed: true,
      read_by: [reader.id],
    });
  });

  it('adds a reader once: a second read sends nothing and read_by keeps one entry', async () => {
    const { chat, author, reader, sockets, all, message } = await messageInRoom();
    sockets.reader.send({ type: 'message_read', message_id: message.uuid });
    for (const socket of all) await socket.next('message_read');

    sockets.reader.send({ type: 'message_read', message_id: message.uuid });
    // The marker, from the same socket so that it is handled after the second read.
    sockets.reader.send({ type: 'typing', typing: true });

    for (const socket of all) {
      expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [reader.id] });
    }
    expect((await chat.get(author, message.uuid)).read_by).toEqual([reader.id]);
  });

  it('keeps readers in the order they read', async () => {
    const { chat, author, reader, other, sockets, all, message } = await messageInRoom();

    sockets.other.send({ type: 'message_read', message_id: message.uuid });
    for (const socket of all) expect(await socket.next('message_read')).toMatchObject({ user_id: other.id });
    sockets.reader.send({ type: 'message_read', message_id: message.uuid });
    for (const socket of all) expect(await socket.next('message_read')).toMatchObject({ user_id: reader.id });

    expect(await chat.get(author, message.uuid)).toMatchObject({
      is_viewed: true,
      read_by: [other.id, reader.id],
    });
  });

  it('changes nothing when the sender reads their own message', async () => {
    const { chat, author, sockets, all, message } = await messageInRoom();

    sockets.author.send({ type: 'message_read', message_id: message.uuid });
    sockets.author.send({ type: 'typing', typing: true });

    for (const socket of all) {
      expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [author.id] });
    }
    expect(await chat.get(author, message.uuid)).toStrictEqual(message);
    expect(message).toMatchObject({ is_viewed: false, read_by: [] });
  });

  it('accepts the message id in upper case', async () => {
    const { reader, sockets, message } = await messageInRoom();

    sockets.reader.send({ type: 'message_read', message_id: message.uuid.toUpperCase() });

    expect(await sockets.author.nextAny()).toStrictEqual({
      type: 'message_read',
      message_id: message.uuid,
      user_id: reader.id,
      seq: 2,
    });
  });
});
