import { RestClient } from './rest-client.js';
import { RoomConnection } from './room-connection.js';
import type { TokenSource } from './token-source.js';

export interface ChatClientOptions {
  /** Where the server answers, e.g. `https://chat.example.com`. WebSockets use the same host. */
  baseUrl: string;
  token: TokenSource;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** The hirechat client: REST methods under `rooms` and `messages`, live rooms with `connect`. */
export class ChatClient extends RestClient {
  constructor(private readonly options: ChatClientOptions) {
    super(options.baseUrl, options.token, options.fetch);
  }

  /** Opens a live connection to a room; await `opened` before relying on it. */
  connect(room: string): RoomConnection {
    const wsBase = new URL(this.options.baseUrl);
    wsBase.protocol = wsBase.protocol === 'https:' ? 'wss:' : 'ws:';
    return new RoomConnection(wsBase.toString(), room, this.options.token);
  }
}
