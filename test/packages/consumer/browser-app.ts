// A browser app using the installed client SDK: compiled with moduleResolution bundler, the DOM
// library and no @types/node, so a Node type leaking into the SDK's declarations fails it. The lines
// marked to expect an error fail the compile when the types they probe are lost (e.g. to `any`).
import {
  ChatApiError,
  ChatClient,
  type ChatRoom,
  CloseCode,
  type ConnectionStatus,
  type ErrorCode,
  type Message,
  type MessageCreatedEvent,
  type ServerEventMap,
} from '@hirechat/client-sdk';
import { MessageSchema } from '@hirechat/protocol';

export async function follow(baseUrl: string, token: () => Promise<string>): Promise<Message[]> {
  const client = new ChatClient({ baseUrl, token });
  const rooms: ChatRoom[] = await client.rooms.list({});
  const live = client.connect(rooms[0]?.uuid ?? '');
  const seen: Message[] = [];
  live.on('message_created', (event: MessageCreatedEvent) => seen.push(MessageSchema.parse(event.message)));
  live.on('status', (status: ConnectionStatus) => status === 'closed');
  // @ts-expect-error handlers are typed per event: a typing event carries no message
  live.on('typing', (event) => seen.push(event.message));
  try {
    await client.messages.create({
      chat_room: rooms[0]?.uuid ?? '',
      file: new Blob(['hi']),
      filename: 'hi.txt',
    });
  } catch (error) {
    if (error instanceof ChatApiError) {
      const code: ErrorCode | null = error.code;
      console.log(error.status, code, error.body);
    }
  }
  return seen;
}

export const forbidden: ServerEventMap['error']['code'] = 'forbidden';
export const closeCode: 4404 = CloseCode.NotFound;
