/**
 * The client SDK from Node: create a room, follow it live, post a message and see the event.
 * Start the reference server (`npm start`), mint a token (`npm run token -- --user <uuid>`), then:
 *   HIRECHAT_TOKEN=... HIRECHAT_USER=<uuid> npx tsx examples/sdk-in-node.ts
 */
import { ChatClient } from '@hirechat/client-sdk';

const token = process.env.HIRECHAT_TOKEN;
const me = process.env.HIRECHAT_USER;
if (!token || !me)
  throw new Error('Set HIRECHAT_TOKEN and HIRECHAT_USER (the uuid the token was minted for).');

const chat = new ChatClient({ baseUrl: process.env.HIRECHAT_URL ?? 'http://127.0.0.1:8000', token });
const room = await chat.rooms.create({ recruiter: me, clients: [crypto.randomUUID()] });

const live = chat.connect(room.uuid);
live.on('message_created', (event) => {
  console.log(`${event.message.sender}: ${event.message.content}`);
  live.close();
});
await live.opened;
await chat.messages.create({ chat_room: room.uuid, content: 'Hello from the SDK' });
