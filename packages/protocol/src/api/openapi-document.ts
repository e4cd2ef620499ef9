import type { z } from 'zod';
import { ChatRoomSchema } from '../chat-room.js';
import { DetailErrorBodySchema, ErrorBodySchema, FieldErrorBodySchema } from '../errors.js';
import { MessageSchema } from '../message.js';
import { webhookDocs } from '../webhooks/webhook-docs.js';
import {
  ERROR_RESPONSES,
  type ErrorStatus,
  type HeaderDoc,
  RATE_LIMIT_HEADER_DOCS,
} from './error-responses.js';
import { type JsonObject, toInlineJsonSchema, toNamedJsonSchemas } from './json-schema.js';
import { BODY_MEDIA_TYPES, type BodyKind, REST_OPERATIONS, type RestOperation } from './rest-operations.js';
import { mergeDistinct, pascalCase, SchemaNames } from './schema-names.js';

/** What the documents say about the server that serves them. */
export interface ApiDocumentOptions {
  /** `info.version`: the version of what serves the API, e.g. the server-kit plugin's. */
  version: string;
  /** The server's upload limit in bytes, written into the 413 answer. Default: not stated. */
  maxUploadBytes?: number;
}

/** Where the AsyncAPI document lies beside this one, linked from the description. */
export const ASYNCAPI_DOCUMENT_PATH = '/asyncapi.json';
/** Where the OpenAPI document lies. */
export const OPENAPI_DOCUMENT_PATH = '/openapi.json';

const SCHEMA_REF = '#/components/schemas/';
const BEARER = 'bearerAuth';

const DESCRIPTION = `Chat rooms between a recruiter and their clients: rooms and messages over REST, live events over a WebSocket (described by [${ASYNCAPI_DOCUMENT_PATH}](${ASYNCAPI_DOCUMENT_PATH})).

- Every path keeps its trailing slash; the same path without it answers the same.
- A method a path does not have is a 405 with an \`Allow\` header.
- Errors are always JSON: \`{"detail": "..."}\` for request-level errors, \`{"<field>": ["...", ...]}\` for field errors.
- Bodies and queries are strict: an unknown field or query parameter is a 400 that names it.
- UUIDs are accepted in any case and answered lowercase.`;

/**
 * The OpenAPI 3.1 document of the REST API: every operation of REST_OPERATIONS, its parameters,
 * bodies (JSON, form, multipart), answers and errors, with every schema converted from the
 * protocol's zod schemas by zod's own JSON Schema output. Pure and platform-neutral; the same
 * options give the same document.
 */
export function openApiDocument(options: ApiDocumentOptions): JsonObject {
  const output = new SchemaNames({
    Message: MessageSchema,
    ChatRoom: ChatRoomSchema,
    ErrorBody: ErrorBodySchema,
    DetailError: DetailErrorBodySchema,
    FieldErrors: FieldErrorBodySchema,
  });
  const input = new SchemaNames();
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const operation of REST_OPERATIONS) {
    const methods = paths[operation.path] ?? {};
    paths[operation.path] = methods;
    const method = operation.method.toLowerCase();
    if (methods[method])
      throw new Error(`openApiDocument: ${operation.method} ${operation.path} is listed twice.`);
    methods[method] = operationObject(operation, input, output);
  }
  const webhooks: Record<string, JsonObject> = {};
  for (const webhook of webhookDocs()) {
    const stem = `${pascalCase(webhook.type)}Webhook`;
    webhooks[webhook.type] = {
      post: {
        operationId: `webhook${stem}`,
        tags: ['Webhooks'],
        summary: webhook.summary,
        description: webhook.description,
        parameters: webhook.headers.map((header) => ({
          name: header.name,
          in: 'header',
          required: true,
          description: header.description,
          schema: { type: 'string' },
        })),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref(output.name(webhook.schema, stem)) } },
        },
        responses: {
          '2XX': { description: 'Delivered.' },
          default: { description: 'Not delivered: retried with backoff.' },
        },
      },
    };
  }
  const errorResponses: Record<string, JsonObject> = {};
  for (const [status, error] of Object.entries(ERROR_RESPONSES)) {
    const limit =
      Number(status) === 413 && options.maxUploadBytes !== undefined
        ? ` This server's limit: ${options.maxUploadBytes} bytes.`
        : '';
    errorResponses[error.name] = {
      description: error.description + limit,
      ...headersObject('headers' in error ? error.headers : undefined),
      content: { 'application/json': { schema: ref(output.name(error.schema)) } },
    };
  }
  const schemas = mergeDistinct(
    toNamedJsonSchemas(output.entries(), { io: 'output', target: 'draft-2020-12', refPrefix: SCHEMA_REF }),
    toNamedJsonSchemas(input.entries(), { io: 'input', target: 'draft-2020-12', refPrefix: SCHEMA_REF }),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'hirechat REST API', version: options.version, description: DESCRIPTION },
    servers: [{ url: '/', description: 'This server.' }],
    security: [{ [BEARER]: [] }],
    tags: [...new Set([...REST_OPERATIONS.map((operation) => operation.tag), 'Webhooks'])].map((name) => ({
      name,
    })),
    paths,
    webhooks,
    components: {
      schemas: sortedKeys(schemas),
      responses: errorResponses,
      securitySchemes: {
        [BEARER]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token issued by the platform that embeds the chat: the user is its `sub` (or ' +
            '`user_id`), a UUID; `role` may be `recruiter`, `client` or `admin`.',
        },
      },
    },
  };
}

function operationObject(operation: RestOperation, input: SchemaNames, output: SchemaNames): JsonObject {
  const stem = pascalCase(operation.id);
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    const content = response.schema
      ? Object.fromEntries(
          (response.mediaTypes ?? ['application/json']).map((type) => [
            type,
            { schema: ref(output.name(response.schema!, `${stem}Response`, `${stem}Response${status}`)) },
          ]),
        )
      : undefined;
    // A signed-in caller's answers say where they stand against their rate limit.
    const limited = operation.authenticated !== false && Number(status) < 300;
    const headers = limited ? { ...response.headers, ...RATE_LIMIT_HEADER_DOCS } : response.headers;
    responses[status] = {
      description: response.description,
      ...headersObject(headers),
      ...(content && { content }),
    };
  }
  const parameterList = parameters(operation);
  for (const status of errorsOf(operation)) {
    responses[String(status)] ??= { $ref: `#/components/responses/${ERROR_RESPONSES[status].name}` };
  }
  return {
    operationId: operation.id,
    tags: [operation.tag],
    summary: operation.summary,
    description: operation.description,
    ...(operation.authenticated === false && { security: [] }),
    ...(parameterList.length > 0 && { parameters: parameterList }),
    ...(operation.body && { requestBody: requestBody(operation.body, stem, input) }),
    responses: sortedKeys(responses),
  };
}

/** The error statuses an operation may answer: its own, and those that follow from what it is. */
function errorsOf(operation: RestOperation): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(operation.errors ?? []);
  if (operation.query || operation.body) statuses.add(400);
  if (operation.authenticated !== false) statuses.add(401).add(429);
  if (operation.params) statuses.add(404);
  if (operation.body) statuses.add(415);
  statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}

function parameters(operation: RestOperation): JsonObject[] {
  return [...parametersOf(operation.params, 'path'), ...parametersOf(operation.query, 'query')];
}

/** One parameter per property of the object, each with its own schema and description. */
function parametersOf(schema: z.ZodObject | undefined, location: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  const json = toInlineJsonSchema(schema, { io: 'input', target: 'draft-2020-12' });
  const properties = (json.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' && { description }),
      schema: propertySchema,
    };
  });
}

function requestBody(
  body: Partial<Record<BodyKind, z.ZodType>>,
  stem: string,
  input: SchemaNames,
): JsonObject {
  const content: Record<string, JsonObject> = {};
  for (const [kind, schema] of Object.entries(body) as Array<[BodyKind, z.ZodType]>) {
    content[BODY_MEDIA_TYPES[kind]] = {
      schema: ref(input.name(schema, `${stem}Body`, `${stem}${pascalCase(kind)}Body`)),
    };
  }
  return { required: true, content };
}

function headersObject(headers: Record<string, HeaderDoc> | undefined): { headers?: JsonObject } {
  if (!headers) return {};
  return {
    headers: Object.fromEntries(
      Object.entries(headers).map(([name, header]) => [
        name,
        {
          description: header.description,
          schema: toInlineJsonSchema(header.schema, { io: 'output', target: 'draft-2020-12' }),
        },
      ]),
    ),
  };
}

function ref(name: string): JsonObject {
  return { $ref: `${SCHEMA_REF}${name}` };
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
