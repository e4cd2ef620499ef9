/** A token, or a function that answers a fresh one (asked before each request and each connect). */
export type TokenSource = string | (() => string | Promise<string>);

export async function resolveToken(source: TokenSource): Promise<string> {
  return typeof source === 'function' ? source() : source;
}
