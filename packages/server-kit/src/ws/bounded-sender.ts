import { CloseCode } from '@hirechat/protocol';
import type { WebSocket } from 'ws';
import { TEXT_FRAME } from './frames.js';
import type { Frame } from './socket-feed.js';

/**
 * Sends one frame on a socket. A frame of `state` (`typing`, `presence`: the whole of it, which
 * the next frame of that state replaces) waits while the socket lags, in place of the one before.
 */
export type SendFrame = (frame: Frame, state?: string) => void;

/**
 * Sends one frame of a replay, paced by the client's reading: undefined when it went out with room
 * to spare, else a promise that settles once the socket has taken it (or closed), before which the
 * replay sends nothing more.
 */
export type SendPacedFrame = (frame: Frame) => Promise<void> | undefined;

/** The two ways a socket is sent frames: live (bounded) and replayed (paced). */
export interface SocketSender {
  send: SendFrame;
  sendPaced: SendPacedFrame;
}

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
 */
export function boundedSender(
  socket: WebSocket,
  maxBacklogBytes: number,
  stallMs = REPLAY_STALL_MS,
): SocketSender {
  const closeSlow = () => socket.close(CloseCode.TryAgainLater, SLOW_CONSUMER_REASON);
  /** The newest frame of each state that waits for the backlog to shrink. */
  const waiting = new Map<string, Frame>();
  let retry: NodeJS.Timeout | undefined;
  const sendWaiting = () => {
    if (socket.readyState !== socket.OPEN) waiting.clear();
    else if (socket.bufferedAmount <= maxBacklogBytes / 2) {
      for (const frame of waiting.values()) socket.send(frame, TEXT_FRAME);
      waiting.clear();
    }
    if (waiting.size === 0) {
      clearInterval(retry);
      retry = undefined;
    }
  };
  return {
    send(frame, state) {
      if (socket.readyState !== socket.OPEN) return;
      const backlog = socket.bufferedAmount;
      if (backlog > maxBacklogBytes) {
        closeSlow();
        return;
      }
      if (state !== undefined) {
        if (backlog > maxBacklogBytes / 2) {
          waiting.set(state, frame);
          retry ??= setInterval(sendWaiting, STATE_RETRY_MS).unref();
          return;
        }
        // Newer than any that waits, which must not come after it.
        waiting.delete(state);
      }
      socket.send(frame, TEXT_FRAME);
    },
    sendPaced(frame) {
      if (socket.readyState !== socket.OPEN) return undefined;
      if (socket.bufferedAmount <= maxBacklogBytes / 2) {
        socket.send(frame, TEXT_FRAME);
        return undefined;
      }
      return new Promise<void>((resolve) => {
        const stalled = setTimeout(() => {
          closeSlow();
          resolve();
        }, stallMs);
        // Called once the frame has gone to the kernel, or with an error once the socket closed.
        socket.send(frame, TEXT_FRAME, () => {
          clearTimeout(stalled);
          resolve();
        });
      });
    },
  };
}
