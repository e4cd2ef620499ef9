import type { Request, ResponseToolkit } from '@hapi/hapi';
import {
  AddClientsBodySchema,
  ChatRoomListQuerySchema,
  CreateChatRoomBodySchema,
  RestPaths,
  UuidInputSchema,
} from '@hirechat/protocol';
import { ChatError } from '../../domain/chat-error.js';
import type { ChatService } from '../../domain/chat-service.js';
import { parseInput } from '../../domain/parse-input.js';
import { callerOf } from '../auth.js';
import type { PathRoutes } from '../route-table.js';
import { FORM_TYPES } from './payload.js';

export function roomRoutes(chat: ChatService): PathRoutes[] {
  return [
    {
      path: RestPaths.createRoom,
      methods: {
        POST: {
          options: { payload: { allow: FORM_TYPES, multipart: { output: 'data' } } },
          async handler(request: Request, h: ResponseToolkit) {
            const body = parseInput(CreateChatRoomBodySchema, request.payload ?? {});
            const { room, created } = await chat.createRoom(callerOf(request), body);
            return h.response(room).code(created ? 201 : 200);
          },
        },
      },
    },
    {
      path: RestPaths.listRooms,
      methods: {
        GET: {
          handler: (request: Request) =>
            chat.listRooms(callerOf(request), parseInput(ChatRoomListQuerySchema, request.query)),
        },
      },
    },
    {
      path: RestPaths.roomDetail('{room}'),
      methods: {
        GET: { handler: (request: Request) => chat.roomDetail(callerOf(request), pathId(request, 'room')) },
      },
    },
    {
      path: RestPaths.roomClients('{room}'),
      methods: {
        POST: {
          options: { payload: { allow: FORM_TYPES, multipart: { output: 'data' } } },
          async handler(request: Request) {
            const room = pathId(request, 'room');
            const body = parseInput(AddClientsBodySchema, request.payload ?? {});
            return chat.addClients(callerOf(request), room, body);
          },
        },
      },
    },
    {
      path: RestPaths.roomClient('{room}', '{client}'),
      methods: {
        DELETE: {
          async handler(request: Request, h: ResponseToolkit) {
            await chat.removeClient(callerOf(request), pathId(request, 'room'), pathId(request, 'client'));
            return h.response().code(204);
          },
        },
      },
    },
  ];
}

/** A path UUID that is not one names nothing: 404, as for any other unknown room or client. */
function pathId(request: Request, name: 'room' | 'client'): string {
  const parsed = UuidInputSchema.safeParse(request.params[name]);
  if (!parsed.success)
    throw ChatError.notFound(name === 'room' ? 'No such chat room.' : 'No such client in this room.');
  return parsed.data;
}
