import { type InboxOptions, LiveInbox } from './inbox/live-inbox.js';
import type { ReconnectOptions } from './reconnect-policy.js';
import { RestClient } from './rest-client.js';
import { type ConnectOptions, RoomConnection } from './room-connection.js';
import type { SocketTokenTransport } from './socket-handshake.js';
import type { TokenSource } from './token-source.js';

/** Options of a ChatClient. */
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
  /** Default waits between connection attempts of every live room and inbox. */
  reconnect?: ReconnectOptions;
  /**
   * How sockets carry the token. Default `subprotocol`: in the handshake, `Sec-WebSocket-Protocol:
   * hirechat, bearer.<token>` (contract, "Identity, continued"), so that it never lands in a
   * proxy's or server's access log; browsers and `ws` in Node both send it. `query`: as
   * `?token=<token>` in the URL, the seed's form, for a server (or a proxy) that does not pass
   * subprotocols on.
   */
  socketToken?: SocketTokenTransport;
}

/**
 * The hirechat client: REST methods under `rooms` and `messages`, live rooms with `connect`, and
 * the user's live inbox with `inbox`.
 */
export class ChatClient extends RestClient {
  constructor(private readonly options: ChatClientOptions) {
    super(options.baseUrl, options.token, options.fetch);
  }

  /**
   * Opens a live connection to a room. It connects, and reconnects, by itself; `await opened` for
   * the moment it is first open and every later event is sure to reach it.
   */
  connect(room: string, options: ConnectOptions = {}): RoomConnection {
    return new RoomConnection(
      {
        wsBaseUrl: this.wsBaseUrl(),
        room,
        token: this.options.token,
        tokenTransport: this.options.socketToken ?? 'subprotocol',
        newestPage: () => this.messages.list({ chat_room: room }),
      },
      { ...options, reconnect: { ...this.options.reconnect, ...options.reconnect } },
    );
  }

  /**
   * Opens the user's live inbox: every room of theirs, latest activity first, with its last
   * message and unread count kept current over one socket. It connects, and reconnects, by itself;
   * `await opened` for the moment its rooms are first here. Each call opens a socket of its own:
   * keep one per signed-in user, and `close()` it when done.
   */
  inbox(options: InboxOptions = {}): LiveInbox {
    return new LiveInbox(
      {
        wsBaseUrl: this.wsBaseUrl(),
        token: this.options.token,
        tokenTransport: this.options.socketToken ?? 'subprotocol',
        listRooms: () => this.rooms.list(),
        lastMessage: async (room) => (await this.rooms.get(room)).last_message,
      },
      { ...options, reconnect: { ...this.options.reconnect, ...options.reconnect } },
    );
  }

  /** The server's origin as `ws://` or `wss://`. */
  private wsBaseUrl(): string {
    const wsBase = new URL(this.options.baseUrl);
    wsBase.protocol = wsBase.protocol === 'https:' ? 'wss:' : 'ws:';
    return wsBase.toString();
  }
}
