import type { Request, ResponseToolkit } from '@hapi/hapi';
import {
  CreateMessageFieldsSchema,
  MessageListQuerySchema,
  RestPaths,
  UpdateMessageBodySchema,
  UuidInputSchema,
} from '@hirechat/protocol';
import LinkHeader from 'http-link-header';
import { ChatError } from '../../domain/chat-error.js';
import type { ChatService, MessageListResult } from '../../domain/chat-service.js';
import { parseInput } from '../../domain/parse-input.js';
import { callerOf } from '../auth.js';
import { textFields, uploadedFile } from '../body/form-fields.js';
import { FORM_MAX_BYTES, formPayload, readForm, UNREAD_BODY } from '../body/read-form.js';
import { type PathRoutes, withQuery } from '../route-table.js';

export interface MessageRouteOptions {
  /** Largest create body, file included; larger answers 413. */
  maxUploadBytes: number;
  /** How long a body may take to arrive; later answers 408. */
  bodyTimeoutMs: number;
}

export function messageRoutes(chat: ChatService, options: MessageRouteOptions): PathRoutes[] {
  const { maxUploadBytes, bodyTimeoutMs } = options;
  const update = {
    options: { payload: formPayload(FORM_MAX_BYTES) },
    async handler(request: Request) {
      const form = await readForm(request, { maxBytes: FORM_MAX_BYTES, timeoutMs: bodyTimeoutMs });
      // A `file` is left to the schema, which says that a file cannot be replaced.
      const body = parseInput(UpdateMessageBodySchema, textFields(form, 'file'));
      return chat.updateMessage(callerOf(request), messageId(request), body);
    },
  };
  return [
    {
      path: RestPaths.createMessage,
      methods: {
        POST: {
          options: { payload: formPayload(maxUploadBytes) },
          async handler(request: Request, h: ResponseToolkit) {
            const form = await readForm(request, { maxBytes: maxUploadBytes, timeoutMs: bodyTimeoutMs });
            const { file, ...fields } = textFields(form, 'file');
            const input = parseInput(CreateMessageFieldsSchema, fields);
            const message = await chat.createMessage(callerOf(request), {
              ...input,
              file: uploadedFile(file),
            });
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
          options: { payload: UNREAD_BODY },
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
        GET: withQuery(MessageListQuerySchema, async (request, h, query) => {
          const page = await chat.listMessages(callerOf(request), query);
          const response = h.response(page.messages);
          const next = nextPage(request, page.next);
          if (next) response.header('Link', new LinkHeader().set({ rel: 'next', uri: next }).toString());
          return response;
        }),
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
function nextPage(request: Request, next: MessageListResult['next']): string | null {
  if (!next) return null;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query)) {
    if (key === 'before' || key === 'after') continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  for (const [key, value] of Object.entries(next)) params.set(key, value);
  return `${request.path}?${params.toString()}`;
}
