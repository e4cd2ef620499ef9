import { z } from 'zod';

/** A UUID as the server writes it: lowercase, 8-4-4-4-12 hex. */
export const UuidSchema = z.guid({ error: 'Must be a valid UUID.' });

/**
 * A UUID as a client may send it. Django's UUIDField accepted any case, so we do too, and store it
 * lowercase so that comparisons stay exact.
 */
export const UuidInputSchema = z
  .string({ error: 'Must be a valid UUID.' })
  .trim()
  .toLowerCase()
  .pipe(UuidSchema)
  // Documents (z.toJSONSchema of the input side) see only the string before the pipe; say what it must hold.
  .meta({ format: 'uuid' });

export type Uuid = z.infer<typeof UuidSchema>;
