import type { z } from 'zod';

/** `message_created` → `MessageCreated`, `createRoom` → `CreateRoom`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

/**
 * The component names of one document's schemas. A schema met again keeps the name it got first,
 * so that a body shared by PATCH and PUT is one component; a name already given to another schema
 * is passed over for the next candidate.
 */
export class SchemaNames {
  private readonly bySchema = new Map<z.ZodType, string>();
  private readonly taken = new Set<string>();

  constructor(fixed: Record<string, z.ZodType> = {}) {
    for (const [name, schema] of Object.entries(fixed)) this.name(schema, name);
  }

  /**
   * The schema's name: the one it has, or the first candidate no other schema has.
   * @throws Error when every candidate is taken.
   */
  name(schema: z.ZodType, ...candidates: string[]): string {
    const known = this.bySchema.get(schema);
    if (known) return known;
    const free = candidates.find((candidate) => !this.taken.has(candidate));
    if (!free) throw new Error(`SchemaNames: every name of ${candidates.join(', ')} is taken.`);
    this.bySchema.set(schema, free);
    this.taken.add(free);
    return free;
  }

  /** Every schema named so far, with its name. */
  entries(): ReadonlyMap<z.ZodType, string> {
    return this.bySchema;
  }
}

/**
 * The schemas of the input side and of the output side, in one `components/schemas`.
 * @throws Error when both sides gave the same name to different schemas.
 */
export function mergeDistinct<T>(...groups: Array<Record<string, T>>): Record<string, T> {
  const merged: Record<string, T> = {};
  for (const group of groups) {
    for (const [name, value] of Object.entries(group)) {
      if (name in merged) throw new Error(`Two schemas are both named ${name}.`);
      merged[name] = value;
    }
  }
  return merged;
}
