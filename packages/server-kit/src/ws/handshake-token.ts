import type { IncomingMessage } from 'node:http';
import { BEARER_SUBPROTOCOL_PREFIX, SOCKET_SUBPROTOCOL } from '@hirechat/protocol';

/**
 * The access token of a WebSocket handshake: from `Sec-WebSocket-Protocol: hirechat,
 * bearer.<token>` (contract, "Identity, continued": it keeps the token out of URLs and so out of
 * proxies' logs), else from `?token=` (the seed's form); null when neither carries one.
 */
export function handshakeToken(request: IncomingMessage, url: URL): string | null {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header === 'string') {
    const offered = header.split(',').map((protocol) => protocol.trim());
    if (offered.includes(SOCKET_SUBPROTOCOL)) {
      const bearer = offered.find((protocol) => protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX));
      if (bearer && bearer.length > BEARER_SUBPROTOCOL_PREFIX.length) {
        return bearer.slice(BEARER_SUBPROTOCOL_PREFIX.length);
      }
    }
  }
  return url.searchParams.get('token') || null;
}
