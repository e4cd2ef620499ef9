import type { Request, ResponseToolkit } from '@hapi/hapi';
import { ChatRoomListQuerySchema, CreateChatRoomBodySchema, RestPaths } from '@hirechat/protocol';
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
  ];
}
