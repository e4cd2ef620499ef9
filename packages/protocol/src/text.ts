/**
 * UTF-16 surrogates without their pair: text that is not valid Unicode. A lone surrogate has no
 * UTF-8 form, so it would be stored as U+FFFD and read back changed.
 */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** PostgreSQL refuses it in a text column (SQLite would keep it). */
const NUL = String.fromCharCode(0);

/**
 * Whether the text can be stored and read back as it is on every storage: well-formed UTF-16
 * (no unpaired surrogate) without the NUL character. Every free text a server keeps (a message's
 * content, a token's name and email) is checked with it.
 */
export function isStorableText(text: string): boolean {
  return !text.includes(NUL) && !UNPAIRED_SURROGATE.test(text);
}

/** The error of a text that is not storable (see isStorableText). */
export const NOT_STORABLE_TEXT = 'May not contain the NUL character or unpaired UTF-16 surrogates.';
