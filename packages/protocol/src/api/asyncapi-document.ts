import type { z } from 'zod';
import { ChatRoomSchema } from '../chat-room.js';
import { CloseCode } from '../close-codes.js';
import { MessageSchema } from '../message.js';
import { CLOSE_CODE_DOCS } from './close-code-docs.js';
import { type JsonObject, toInlineJsonSchema, toNamedJsonSchemas } from './json-schema.js';
import { type ApiDocumentOptions, OPENAPI_DOCUMENT_PATH } from './openapi-document.js';
import { mergeDistinct, pascalCase, SchemaNames } from './schema-names.js';
import { type EventUnion, SOCKET_CHANNELS, type SocketChannel } from './socket-channels.js';

/** What the AsyncAPI document says about where the sockets are. */
export interface AsyncApiDocumentOptions extends ApiDocumentOptions {
  /** `host[:port]` as clients reach the server. Default `localhost:8000`. */
  host?: string;
  /** `wss` behind TLS. Default `ws`. */
  protocol?: 'ws' | 'wss';
}

/** Who sends an event: the server (an AsyncAPI `send` of the application) or a client (`receive`). */
export type EventDirection = 'server' | 'client';

const SCHEMA_REF = '#/components/schemas/';
const SECURITY = 'accessToken';

const DESCRIPTION = `The live side of hirechat: WebSocket endpoints on the same port as the REST API (described by [${OPENAPI_DOCUMENT_PATH}](${OPENAPI_DOCUMENT_PATH})). Every frame is one JSON object with a \`type\`.

A socket that the server refuses or closes says why with its close code, on every channel (each also lists them as \`x-close-codes\`). The 44xx codes mirror HTTP statuses, so that a browser, which cannot read the status of a refused handshake, can tell them apart.`;

/**
 * The AsyncAPI 3.0 document of the WebSocket API: every channel of SOCKET_CHANNELS with every
 * event of its protocol unions in both directions, its query parameters, its close codes, and
 * every payload converted from the protocol's zod schemas by zod's own JSON Schema output. Pure and
 * platform-neutral; the same options give the same document.
 */
export function asyncApiDocument(options: AsyncApiDocumentOptions): JsonObject {
  const output = new SchemaNames({ Message: MessageSchema, ChatRoom: ChatRoomSchema });
  const input = new SchemaNames();
  const channels: Record<string, JsonObject> = {};
  const operations: Record<string, JsonObject> = {};
  for (const channel of SOCKET_CHANNELS) {
    if (channels[channel.id]) throw new Error(`asyncApiDocument: channel ${channel.id} is listed twice.`);
    const messages: Record<string, JsonObject> = {};
    const directions: Array<[EventDirection, EventUnion, Record<string, string>, SchemaNames]> = [
      ['server', channel.serverEvents, channel.sent, output],
      ['client', channel.clientEvents, channel.received, input],
    ];
    for (const [direction, union, docs, names] of directions) {
      for (const event of union.options) {
        const type = eventTypeOf(event);
        const key = messageKey(direction, type);
        const stem = pascalCase(type) + (direction === 'server' ? 'Event' : 'InputEvent');
        const summary = docs[type];
        if (!summary) throw new Error(`asyncApiDocument: ${channel.id} has no description of ${type}.`);
        messages[key] = {
          name: type,
          title: `${type} (${direction === 'server' ? 'server → client' : 'client → server'})`,
          summary,
          contentType: 'application/json',
          payload: { $ref: SCHEMA_REF + names.name(event, stem, pascalCase(channel.id) + stem) },
        };
        operations[`${channel.id}_${key}`] = {
          action: direction === 'server' ? 'send' : 'receive',
          channel: { $ref: `#/channels/${channel.id}` },
          title: `${direction === 'server' ? 'Server sends' : 'Client sends'} ${type}`,
          summary,
          messages: [{ $ref: `#/channels/${channel.id}/messages/${key}` }],
        };
      }
    }
    channels[channel.id] = channelObject(channel, messages);
  }
  const schemas = mergeDistinct(
    toNamedJsonSchemas(output.entries(), { io: 'output', target: 'draft-07', refPrefix: SCHEMA_REF }),
    toNamedJsonSchemas(input.entries(), { io: 'input', target: 'draft-07', refPrefix: SCHEMA_REF }),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'hirechat WebSocket API',
      version: options.version,
      description: `${DESCRIPTION}\n\n${closeCodeTable(closeCodes())}`,
    },
    defaultContentType: 'application/json',
    servers: {
      hirechat: {
        host: options.host ?? 'localhost:8000',
        protocol: options.protocol ?? 'ws',
        description: 'REST and WebSocket share this host and port.',
        security: [{ $ref: `#/components/securitySchemes/${SECURITY}` }],
      },
    },
    channels,
    operations,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        [SECURITY]: {
          type: 'httpApiKey',
          in: 'query',
          name: 'token',
          description: 'The access token (a JWT issued by the platform that embeds the chat), as `?token=`.',
        },
      },
    },
  };
}

/** The key of an event under its channel's `messages`: the direction, then the wire `type`. */
export function messageKey(direction: EventDirection, type: string): string {
  return `${direction}_${type}`;
}

/** The `type` literal of one option of an event union. */
export function eventTypeOf(event: z.ZodObject): string {
  const literal = event.shape.type as z.ZodLiteral<string> | undefined;
  const value = literal?.value;
  if (typeof value !== 'string') throw new Error('eventTypeOf: an event union option has no literal `type`.');
  return value;
}

/** Every close code of the protocol, with what it tells a client. */
function closeCodes(): Array<{ code: number; name: string; description: string }> {
  return (Object.keys(CloseCode) as Array<keyof typeof CloseCode>).map((name) => ({
    code: CloseCode[name],
    name,
    description: CLOSE_CODE_DOCS[name],
  }));
}

function closeCodeTable(codes: ReturnType<typeof closeCodes>): string {
  const rows = codes.map(({ code, description }) => `| ${code} | ${description} |`).join('\n');
  return `**Close codes**\n\n| code | meaning |\n| --- | --- |\n${rows}`;
}

function channelObject(channel: SocketChannel, messages: Record<string, JsonObject>): JsonObject {
  return {
    address: channel.address,
    title: channel.title,
    description: channel.description,
    parameters: Object.fromEntries(
      Object.entries(channel.params).map(([name, description]) => [name, { description }]),
    ),
    messages,
    bindings: {
      ws: {
        method: 'GET',
        query: toInlineJsonSchema(channel.query, { io: 'input', target: 'draft-07' }),
        bindingVersion: '0.1.0',
      },
    },
    'x-close-codes': closeCodes(),
  };
}
