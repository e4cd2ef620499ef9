import { z } from 'zod';

/*
 * The schema pieces every environment variable of the reference server is read with, shared by
 * config.ts and the settings of each capability (webhooks/webhook-config.ts). Every number has a
 * least and a greatest value, and its message says both: a value far out of range starts fine and
 * breaks later (a bigint out of range on PostgreSQL, a RangeError in a timer).
 */

/** Shells and .env files make "set but empty" easy to do by accident; it means "use the default". */
export const unsetIfBlank = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** `schema`, or undefined (the default) when unset or blank. */
export const withDefault = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfBlank, schema.optional());

/** `1024`, `86400000 (a day)`: a limit as a message states it. */
const limit = (value: number, about: string | undefined) => (about ? `${value} (${about})` : String(value));

/**
 * A whole number of `unit` (null: of nothing named, as a port) from `min` to `max`. Its one message
 * states both limits, e.g. "must be a whole number of milliseconds from 1 to 3600000 (an hour)";
 * `aboutMax` names the greatest in words.
 */
export const wholeNumber = (min: number, max: number, unit: string | null, aboutMax?: string) => {
  const what = `must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${limit(max, aboutMax)}`;
  return z
    .string()
    .trim()
    .regex(/^\d+$/, what)
    .transform(Number)
    .pipe(z.number().int().min(min, what).max(max, what));
};

/**
 * A decimal number of `unit` above 0 and at most `max` (`24`, `0.5`): hours and seconds may be
 * fractions, for short tests.
 */
export const positiveDecimal = (max: number, unit: string, aboutMax?: string) => {
  const what = `must be a number of ${unit} above 0 and at most ${limit(max, aboutMax)} (fractions allowed)`;
  return z
    .string()
    .trim()
    .regex(/^(\d+(\.\d*)?|\.\d+)$/, what)
    .transform(Number)
    .pipe(z.number().positive(what).max(max, what));
};

/** The words every boolean setting takes, in any case, and what each means. */
export const SWITCH_WORDS: Readonly<Record<string, boolean>> = {
  on: true,
  off: false,
  true: true,
  false: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
};

/**
 * Every boolean setting (DEMO_WEB, API_DOCS, RATE_LIMITS, JWT_REQUIRE_EXP, WEBHOOK_DELIVER): `on` or
 * `off`, also `true`/`false`, `yes`/`no`, `1`/`0`, in any case.
 */
export const switchSetting = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => Object.hasOwn(SWITCH_WORDS, value), 'must be on or off (or true/false, yes/no, 1/0)')
  .transform((value) => SWITCH_WORDS[value] === true);
