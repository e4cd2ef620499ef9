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
import { textFields } from '../body/form-fields.js';
import { FORM_MAX_BYTES, formPayload, readForm, UNREAD_BODY } from '../body/read-form.js';
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
          options: { payload: formPayload(FORM_MAX_BYTES) },
          async handler(request: Request) {
            const room = pathId(request, 'room');
            const form = await readForm(request, {
              maxBytes: FORM_MAX_BYTES,
              timeoutMs: options.bodyTimeoutMs,
            });
            const body = parseInput(AddClientsBodySchema, textFields(form));
            return chat.addClients(callerOf(request), room, body);
          },
        },
      },
    },
    {
      path: RestPaths.roomClient('{room}', '{client}'),
      methods: {
        DELETE: {
          options: { payload: UNREAD_BODY },
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
