import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  asyncApiDocument,
  eventTypeOf,
  type JsonObject,
  openApiDocument,
  REST_OPERATIONS,
  SOCKET_CHANNELS,
} from '../src/index.js';

/*
 * The generators on their own (the server-kit suite checks the served documents with the OpenAPI
 * and AsyncAPI parsers, against the server's routes and sockets).
 */

/** The object schema under a body's refinements and transforms. */
function objectOf(schema: z.ZodType): z.ZodObject {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodPipe) current = current.def.in as z.ZodType;
  if (!(current instanceof z.ZodObject)) throw new Error('not an object schema');
  return current;
}

/** Every `{ schema, name }` of a request body or query in the catalog. */
const inputs = REST_OPERATIONS.flatMap((operation) => [
  ...(operation.query ? [{ name: `${operation.id} query`, schema: operation.query }] : []),
  ...Object.entries(operation.body ?? {}).map(([kind, schema]) => ({
    name: `${operation.id} ${kind}`,
    schema,
  })),
]);

describe('openApiDocument', () => {
  const document = openApiDocument({ version: '1.2.3', maxUploadBytes: 1234 });
  const schemas = (document.components as { schemas: Record<string, JsonObject> }).schemas;

  it('is the same document every time', () => {
    expect(JSON.stringify(openApiDocument({ version: '1.2.3', maxUploadBytes: 1234 }))).toBe(
      JSON.stringify(document),
    );
  });

  it('gives every operation a unique id, and one method per path once', () => {
    const ids = REST_OPERATIONS.map((operation) => operation.id);
    expect(new Set(ids).size).toBe(ids.length);
    const routes = REST_OPERATIONS.map((operation) => `${operation.method} ${operation.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('marks a field required exactly when the server refuses a body without it', () => {
    for (const { name, schema } of inputs) {
      const object = objectOf(schema);
      const refused = Object.keys(object.shape).filter(
        (key) => !object.shape[key]!.safeParse(undefined).success,
      );
      const json = z.toJSONSchema(object, { io: 'input' }) as { required?: string[] };
      expect(json.required ?? [], name).toEqual(refused);
    }
  });

  it('leaves the server’s answers open to new keys, and its strict inputs closed', () => {
    expect(schemas.Message).not.toHaveProperty('additionalProperties');
    expect(schemas.ChatRoom).not.toHaveProperty('additionalProperties');
    expect(schemas.CreateRoomBody).toHaveProperty('additionalProperties', false);
  });

  it('states the upload limit it was given', () => {
    const responses = (document.components as { responses: Record<string, { description: string }> })
      .responses;
    expect(responses.PayloadTooLarge?.description).toContain('1234 bytes');
  });
});

describe('asyncApiDocument', () => {
  it('describes every event of each channel’s unions exactly once per direction', () => {
    for (const channel of SOCKET_CHANNELS) {
      const server = channel.serverEvents.options.map(eventTypeOf);
      const client = channel.clientEvents.options.map(eventTypeOf);
      // The descriptions are checked by the compiler; this catches a cast that hid one.
      expect(Object.keys(channel.sent).sort(), channel.id).toEqual([...server].sort());
      expect(Object.keys(channel.received).sort(), channel.id).toEqual([...client].sort());
    }
  });

  it('names the host and protocol it was given', () => {
    const document = asyncApiDocument({ version: '1', host: 'chat.example.com', protocol: 'wss' });
    expect(document.servers).toMatchObject({ hirechat: { host: 'chat.example.com', protocol: 'wss' } });
  });
});
