import { bearerSubprotocols, CloseCode, type Since } from '@hirechat/protocol';
import WebSocket from 'isomorphic-ws';
import type { TokenSource } from './token-source.js';

/**
 * How a socket carries the access token: `subprotocol` in the handshake (`Sec-WebSocket-Protocol:
 * hirechat, bearer.<token>`, contract "Identity, continued"), so that it never lands in a proxy's
 * logs; `query` as `?token=` in the URL, the seed's form, for a server that predates the other.
 */
export type SocketTokenTransport = 'subprotocol' | 'query';

/** Where a live socket connects, and as whom. */
export interface LiveSocketTarget {
  /** `ws://` or `wss://` origin of the server. */
  wsBaseUrl: string;
  /** The socket's path: a room's, or the inbox's. */
  path: string;
  token: TokenSource;
  tokenTransport: SocketTokenTransport;
}

/** A token that cannot travel in the handshake is no access token: the server would say 4401. */
export const UNSENDABLE_TOKEN = {
  code: CloseCode.Unauthorized,
  reason: 'The access token cannot be sent in the WebSocket handshake.',
} as const;

/**
 * Opens the target's socket with `?since=` and the token as the target says; null, without
 * connecting, when the token cannot travel in a handshake (it is not an RFC 7230 token, as every
 * JWT is): browsers and `ws` would throw, and the server would refuse it anyway.
 */
export function openSocket(target: LiveSocketTarget, token: string, since: Since): WebSocket | null {
  const url = new URL(target.path, target.wsBaseUrl);
  let protocols: string[] | undefined;
  if (target.tokenTransport === 'query') {
    url.searchParams.set('token', token);
  } else {
    const offered = bearerSubprotocols(token);
    if (!offered) return null;
    protocols = offered;
  }
  url.searchParams.set('since', String(since));
  return new WebSocket(url.toString(), protocols);
}
