import { z } from 'zod';

/*
 * The schema pieces every environment variable of the reference server is read with, shared by
 * config.ts and the settings of each capability (webhooks/webhook-config.ts).
 */

/** Shells and .env files make "set but empty" easy to do by accident; it means "use the default". */
export const unsetIfBlank = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** `schema`, or undefined (the default) when unset or blank. */
export const withDefault = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfBlank, schema.optional());

/** `on` or `off`, in any case: the spelling of RATE_LIMITS=off and the like. */
export const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['on', 'off'], 'must be on or off'))
  .transform((value) => value === 'on');
