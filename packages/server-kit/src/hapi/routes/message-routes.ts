import type { Request, ResponseToolkit, RouteOptions } from '@hapi/hapi';
import {
  CreateMessageFieldsSchema,
  MessageListQuerySchema,
  RestPaths,
  UpdateMessageBodySchema,
  UuidInputSchema,
} from '@hirechat/protocol';
import { ChatError } from '../../domain/chat-error.js';
import type { ChatService, MessageListResult } from '../../domain/chat-service.js';
import { parseInput } from '../../domain/parse-input.js';
import { callerOf } from '../auth.js';
import { splitUpload } from '../multipart.js';
import type { PathRoutes } from '../route-table.js';
import { FORM_TYPES } from './payload.js';

export function messageRoutes(chat: ChatService, maxUploadBytes: number): PathRoutes[] {
  const update = {
    options: { payload: { allow: FORM_TYPES, multipart: { output: 'annotated' } } } satisfies RouteOptions,
    async handler(request: Request) {
      const body = parseInput(UpdateMessageBodySchema, request.payload ?? {});
      return chat.updateMessage(callerOf(request), messageId(request), body);
    },
  };
  return [
    {
      path: RestPaths.createMessage,
      methods: {
        POST: {
          options: {
            // 'stream' hands file parts over byte for byte; see multipart.ts.
            payload: { allow: FORM_TYPES, maxBytes: maxUploadBytes, multipart: { output: 'stream' } },
          },
          async handler(request: Request, h: ResponseToolkit) {
            const { fields, file } = await splitUpload(request.payload);
            const input = parseInput(CreateMessageFieldsSchema, fields);
            const message = await chat.createMessage(callerOf(request), { ...input, file });
            return h.response(message).code(201);
          },
        },
      },
    },
    {
      path: RestPaths.messageDetail('{uuid}'),
      methods: {
        GET: { handler: (request: Request) => chat.getMessage(callerOf(request), messageId(request)) },
        PATCH: update,
        PUT: update,
        DELETE: {
          async handler(request: Request, h: ResponseToolkit) {
            await chat.deleteMessage(callerOf(request), messageId(request));
            return h.response().code(204);
          },
        },
      },
    },
    {
      path: RestPaths.listMessages,
      methods: {
        GET: {
          async handler(request: Request, h: ResponseToolkit) {
            const query = parseInput(MessageListQuerySchema, request.query);
            const page = await chat.listMessages(callerOf(request), query);
            const response = h.response(page.messages);
            const next = nextLink(request, page.next);
            if (next) response.header('Link', `<${next}>; rel="next"`);
            return response;
          },
        },
      },
    },
  ];
}

/** A path UUID that is not one names nothing: 404, as for any other unknown message. */
function messageId(request: Request): string {
  const parsed = UuidInputSchema.safeParse(request.params.uuid);
  if (!parsed.success) throw ChatError.notFound();
  return parsed.data;
}

/** The same query with the cursor moved on, relative to this server. */
function nextLink(request: Request, next: MessageListResult['next']): string | null {
  if (!next) return null;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query)) {
    if (key === 'before' || key === 'after') continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  for (const [key, value] of Object.entries(next)) params.set(key, value);
  return `${request.path}?${params.toString()}`;
}
