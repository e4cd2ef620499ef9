import { z } from 'zod';

/** A JSON value of an API document: a JSON Schema, an OpenAPI operation, an AsyncAPI channel... */
export type JsonObject = { [key: string]: unknown };

/** How zod's JSON Schema output is asked for. */
export interface JsonSchemaOptions {
  /**
   * `input`: what a client sends, before defaults and normalisation (request bodies, queries, client
   * events). `output`: what the server sends (responses, server events).
   */
  io: 'input' | 'output';
  /** OpenAPI 3.1 speaks JSON Schema 2020-12; AsyncAPI 3.0's default schema format is draft-07's. */
  target: 'draft-2020-12' | 'draft-07';
}

/**
 * Converts named schemas with zod's own `z.toJSONSchema`: one JSON Schema per name, and every use
 * of a named schema inside another written as `{"$ref": "<refPrefix><name>"}`, so that a Message
 * is described once however many answers and events carry it.
 *
 * @throws Error when a schema cannot be represented in JSON Schema (a transform on the side asked
 *   for), or when a named schema uses an unnamed one twice in a way zod would have to share.
 */
export function toNamedJsonSchemas(
  named: ReadonlyMap<z.ZodType, string>,
  options: JsonSchemaOptions & { refPrefix: string },
): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: options.io,
    target: options.target,
    uri: (id) => `${options.refPrefix}${id}`,
    override: openOutputObjects(options.io),
  });
  if ('__shared' in schemas) throw new Error('toNamedJsonSchemas: a schema was extracted without a name.');
  const result: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(schemas)) result[id] = withoutDialect(schema as JsonObject);
  return result;
}

/** One schema converted on its own, for a parameter list or a binding, where no `$ref` may appear. */
export function toInlineJsonSchema(schema: z.ZodType, options: JsonSchemaOptions): JsonObject {
  const json = z.toJSONSchema(schema, {
    io: options.io,
    target: options.target,
    override: openOutputObjects(options.io),
  }) as JsonObject;
  return withoutDialect(json);
}

/**
 * zod writes `additionalProperties: false` on every object it sends, but the contract is additive
 * (contract, "Additions of the second version"): clients must ignore keys they do not know, and a
 * document that forbade them would break generated clients on the next additive release. Strict
 * input objects keep theirs: the server refuses unknown fields.
 */
function openOutputObjects(io: JsonSchemaOptions['io']) {
  return ({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonObject }) => {
    const def = (zodSchema as { _zod: { def: { type: string; catchall?: unknown } } })._zod.def;
    if (io === 'output' && def.type === 'object' && def.catchall === undefined) {
      delete jsonSchema.additionalProperties;
    }
  };
}

/**
 * The documents name their schema dialect once, at the top, not in every schema; and a component
 * is found by where it lies, so the `$id` zod gives it (a bare fragment, which JSON Schema 2020-12
 * does not allow in `$id`) goes too.
 */
function withoutDialect(schema: JsonObject): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}
