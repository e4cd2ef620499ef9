/*
 * Additive (contract, "Identity, continued"): a WebSocket client may carry its access token in the
 * handshake rather than in the URL, so that it never lands in a proxy's logs:
 * `Sec-WebSocket-Protocol: hirechat, bearer.<access token>`. The server answers with the
 * subprotocol `hirechat` alone.
 */

/** The subprotocol a client offers beside its token, and the one the server answers with. */
export const SOCKET_SUBPROTOCOL = 'hirechat';

/** The prefix of the offered subprotocol that carries the access token. */
export const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

/**
 * What a subprotocol may hold (RFC 6455 §4.1: an RFC 7230 token). Every JWT is one (base64url and
 * dots); a string that is not cannot be sent in the handshake, nor be a valid access token.
 */
const SUBPROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The subprotocols a client offers to send `token` in the handshake (`['hirechat',
 * 'bearer.<token>']`), or null when the token cannot travel there (it is not an RFC 7230 token).
 */
export function bearerSubprotocols(token: string): [string, string] | null {
  return SUBPROTOCOL_TOKEN.test(token) ? [SOCKET_SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`] : null;
}
