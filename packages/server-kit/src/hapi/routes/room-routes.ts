import type { Request, ResponseToolkit } from '@hapi/hapi';
import { ChatRoomListQuerySchema, CreateChatRoomBodySchema, RestPaths } from '@hirechat/protocol';
import type { ChatService } from '../../domain/chat-service.js';
import { parseInput } from '../../domain/parse-input.js';
import { callerOf } from '../auth.js';
import { textFields } from '../body/form-fields.js';
import { FORM_MAX_BYTES, formPayload, readForm } from '../body/read-form.js';
import { type PathRoutes, withQuery } from '../route-table.js';

export interface RoomRouteOptions {
  /** How long a body may take to arrive; later answers 408. */
  bodyTimeoutMs: number;
}

export function roomRoutes(chat: ChatService, options: RoomRouteOptions): PathRoutes[] {
  return [
    {
      path: RestPaths.createRoom,
      methods: {
        POST: {
          options: { payload: formPayload(FORM_MAX_BYTES) },
          async handler(request: Request, h: ResponseToolkit) {
            const form = await readForm(request, {
              maxBytes: FORM_MAX_BYTES,
              timeoutMs: options.bodyTimeoutMs,
            });
            const body = parseInput(CreateChatRoomBodySchema, textFields(form));
            const { room, created } = await chat.createRoom(callerOf(request), body);
            return h.response(room).code(created ? 201 : 200);
          },
        },
      },
    },
    {
      path: RestPaths.listRooms,
      methods: {
        GET: withQuery(ChatRoomListQuerySchema, (request, _h, query) =>
          chat.listRooms(callerOf(request), query),
        ),
      },
    },
  ];
}
