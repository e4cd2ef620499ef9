import type { ReconnectOptions } from './reconnect-policy.js';
import { RestClient } from './rest-client.js';
import { type ConnectOptions, RoomConnection } from './room-connection.js';
import type { TokenSource } from './token-source.js';

export interface ChatClientOptions {
  /** Where the server answers, e.g. `https://chat.example.com`. WebSockets use the same host. */
  baseUrl: string;
  /**
   * The access token, or a function that answers one; a function is asked again before each
   * request and each connection attempt, so that an expired token is replaced (on 4401, say).
   */
  token: TokenSource;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
  /** Default waits between connection attempts of every live room. */
  reconnect?: ReconnectOptions;
}

/** The hirechat client: REST methods under `rooms` and `messages`, live rooms with `connect`. */
export class ChatClient extends RestClient {
  constructor(private readonly options: ChatClientOptions) {
    super(options.baseUrl, options.token, options.fetch);
  }

  /**
   * Opens a live connection to a room. It connects, and reconnects, by itself; `await opened` for
   * the moment it is first open and every later event is sure to reach it.
   */
  connect(room: string, options: ConnectOptions = {}): RoomConnection {
    const wsBase = new URL(this.options.baseUrl);
    wsBase.protocol = wsBase.protocol === 'https:' ? 'wss:' : 'ws:';
    return new RoomConnection(
      {
        wsBaseUrl: wsBase.toString(),
        room,
        token: this.options.token,
        newestPage: () => this.messages.list({ chat_room: room }),
      },
      { ...options, reconnect: { ...this.options.reconnect, ...options.reconnect } },
    );
  }
}
