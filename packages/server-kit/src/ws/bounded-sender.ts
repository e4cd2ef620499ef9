import { CloseCode } from '@hirechat/protocol';
import type { WebSocket } from 'ws';
import { TEXT_FRAME } from './frames.js';
import type { Frame } from './socket-feed.js';

/** Why a slow consumer was closed, as its close frame says. */
export const SLOW_CONSUMER_REASON = 'Events were sent faster than they were read.';

/**
 * How long a paced replay waits for a socket to take a frame before closing it as a slow consumer:
 * as long as `ws` waits for the answer to a close frame.
 */
export const REPLAY_STALL_MS = 30_000;

/** How often, in milliseconds, a lagging socket's backlog is looked at while state frames wait. */
export const STATE_RETRY_MS = 50;

/**
 * Every frame a socket is sent goes through here, so that a socket that does not read its events
 * cannot grow the server's memory without bound (contract, "Limits"). Its backlog is what `ws`
 * and Node hold for it, unsent (`bufferedAmount`; the kernel's buffers come on top):
 *
 * - past half of `maxBacklogBytes`, state frames (typing, presence) wait, so that what matters
 *   still goes: only the newest of each state, which is all a client needs of it (a room of 1,000
 *   filling up sends each socket many presence sets of up to 39 KB). They go once the backlog is
 *   back under half, looked at every `STATE_RETRY_MS`; so a lagging socket still ends up with the
 *   exact state;
 * - past `maxBacklogBytes`, the socket is closed with 1013 and sent nothing more. Its close frame
 *   waits behind the backlog; `ws` destroys a socket whose close is not answered within 30 s, which
 *   frees the backlog.
 *
 * A replay (`?since=`, up to a whole room log) is paced instead: past half of the bound it waits
 * for the socket to take each frame, so that a replay larger than the bound reaches a client that
 * reads it, however slowly (closing it would only make it reconnect and ask again); one that takes
 * nothing for `stallMs` is closed with 1013. Live events wait behind the replay (see SocketFeed).
 *
 * A frame to a socket that is not open is dropped. Live events are encoded once for every socket
 * of a topic, so the backlogs of many slow sockets of one room mostly share their bytes.
 *
 * One per socket, for as long as it is open: a class, its methods shared by every socket, and the
 * map of waiting state made only for a socket that lags (closures made per socket cost each of
 * 20,000 idle sockets their own functions and contexts).
 */
export class BoundedSender {
  /** The newest frame of each state that waits for the backlog to shrink; made when one first waits. */
  private waiting: Map<string, Frame> | undefined;
  private retry: NodeJS.Timeout | undefined;

  /**
   * @param maxBacklogBytes past half of it state waits and replays are paced; past it the socket
   *   is closed with 1013.
   * @param stallMs how long a paced replay waits for the socket to take a frame, in milliseconds.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly maxBacklogBytes: number,
    private readonly stallMs = REPLAY_STALL_MS,
  ) {}

  /**
   * Sends one live frame. A frame of `state` (`typing`, `presence`: the whole of it, which the next
   * frame of that state replaces) waits while the socket lags, in place of the one before.
   */
  send(frame: Frame, state?: string): void {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN) return;
    const backlog = socket.bufferedAmount;
    if (backlog > this.maxBacklogBytes) {
      this.closeSlow();
      return;
    }
    if (state !== undefined) {
      if (backlog > this.maxBacklogBytes / 2) {
        this.waiting ??= new Map();
        this.waiting.set(state, frame);
        this.retry ??= setInterval(() => this.sendWaiting(), STATE_RETRY_MS).unref();
        return;
      }
      // Newer than any that waits, which must not come after it.
      this.waiting?.delete(state);
    }
    socket.send(frame, TEXT_FRAME);
  }

  /**
   * Sends one frame of a replay, paced by the client's reading: undefined when it went out with
   * room to spare, else a promise that settles once the socket has taken it (or closed), before
   * which the replay sends nothing more.
   */
  sendPaced(frame: Frame): Promise<void> | undefined {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN) return undefined;
    if (socket.bufferedAmount <= this.maxBacklogBytes / 2) {
      socket.send(frame, TEXT_FRAME);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      const stalled = setTimeout(() => {
        this.closeSlow();
        resolve();
      }, this.stallMs);
      // Called once the frame has gone to the kernel, or with an error once the socket closed.
      socket.send(frame, TEXT_FRAME, () => {
        clearTimeout(stalled);
        resolve();
      });
    });
  }

  private sendWaiting(): void {
    const { socket, waiting } = this;
    if (!waiting) return;
    if (socket.readyState !== socket.OPEN) waiting.clear();
    else if (socket.bufferedAmount <= this.maxBacklogBytes / 2) {
      for (const frame of waiting.values()) socket.send(frame, TEXT_FRAME);
      waiting.clear();
    }
    if (waiting.size === 0) {
      clearInterval(this.retry);
      this.retry = undefined;
    }
  }

  private closeSlow(): void {
    this.socket.close(CloseCode.TryAgainLater, SLOW_CONSUMER_REASON);
  }
}
