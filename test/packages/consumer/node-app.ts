// An app on Node using the installed packages' types. The test compiles this file as ESM (.mts) and,
// separately, as CommonJS (.cts), with moduleResolution node16 and without skipLibCheck. The lines
// marked to expect an error fail the compile when the types they probe are lost (e.g. to `any`).
import Hapi from '@hapi/hapi';
import {
  ChatClient,
  type ChatRoom,
  CloseCode,
  type ErrorCode,
  ErrorCodes,
  type Message,
  type MessageCreatedEvent,
  type TypingEvent,
} from '@hirechat/client-sdk';
import { type ServerEvent, ServerEventSchema } from '@hirechat/protocol';
import {
  type Caller,
  type ChatService,
  createSqliteKnex,
  type HirechatOptions,
  hirechat,
  JwtIdentity,
  KnexChatStorage,
  LocalFileStore,
} from '@hirechat/server-kit';
import { startTestServer, type TestServer } from '@hirechat/server-kit/testing';

export async function embed(): Promise<ChatRoom> {
  const server = Hapi.server({ port: 0 });
  const options: HirechatOptions = {
    storage: new KnexChatStorage(createSqliteKnex(':memory:')),
    identity: new JwtIdentity({ secret: 'a secret of at least thirty-two characters' }),
    files: new LocalFileStore('./media'),
  };
  await server.register({ plugin: hirechat, options });
  await server.initialize();
  // The plugin's API is typed on the server, through its augmentation of @hapi/hapi.
  const chat: ChatService = server.plugins.hirechat.chat;
  // @ts-expect-error the plugin exposes `chat` and nothing else
  server.plugins.hirechat.rooms;
  const caller: Caller = { id: crypto.randomUUID(), email: null, name: null, role: 'recruiter' };
  const { room } = await chat.createRoom(caller, { recruiter: caller.id, clients: [crypto.randomUUID()] });
  return room;
}

export async function follow(testServer: TestServer): Promise<Message[]> {
  const client = new ChatClient({ baseUrl: testServer.url, token: () => testServer.token() });
  const room: ChatRoom = await client.rooms.create({ recruiter: crypto.randomUUID(), clients: [] });
  const live = client.connect(room.uuid);
  const seen: Message[] = [];
  live.on('message_created', (event: MessageCreatedEvent) => seen.push(event.message));
  live.on('typing', (event: TypingEvent) => event.typing_users.length);
  // @ts-expect-error handlers are typed per event: a typing event carries no message
  live.on('typing', (event) => seen.push(event.message));
  await live.opened;
  return seen;
}

export function parse(frame: string): ServerEvent {
  return ServerEventSchema.parse(JSON.parse(frame));
}

export const codes = {
  first: ErrorCodes[0] satisfies ErrorCode,
  forbidden: CloseCode.Forbidden satisfies 4403,
  // @ts-expect-error not an error code of the protocol
  wrong: 'no_such_code' satisfies ErrorCode,
};

export const start: () => Promise<TestServer> = () => startTestServer();
