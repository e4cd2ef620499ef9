import { CloseCode } from '@hirechat/protocol';
import type { WebSocket } from 'ws';
import { TEXT_FRAME } from './frames.js';
import type { Frame } from './socket-feed.js';

/** Sends one frame on a socket; `droppable` frames (typing) go first when the socket lags. */
export type SendFrame = (frame: Frame, droppable?: boolean) => void;

/** Why a slow consumer was closed, as its close frame says. */
export const SLOW_CONSUMER_REASON = 'Events were sent faster than they were read.';

/**
 * Every frame a socket is sent goes through here, so that a socket that does not read its events
 * cannot grow the server's memory without bound (contract, "Limits"). Its backlog is what `ws`
 * and Node hold for it, unsent (`bufferedAmount`; the kernel's buffers come on top):
 *
 * - past half of `maxBacklogBytes`, droppable frames (typing: state that the next change repeats)
 *   are dropped, so that what matters still goes;
 * - past `maxBacklogBytes`, the socket is closed with 1013 and sent nothing more. Its close frame
 *   waits behind the backlog; `ws` destroys a socket whose close is not answered within 30 s, which
 *   frees the backlog.
 *
 * A frame to a socket that is not open is dropped. Live events are encoded once for every socket
 * of a topic, so the backlogs of many slow sockets of one room mostly share their bytes.
 */
export function boundedSender(socket: WebSocket, maxBacklogBytes: number): SendFrame {
  return (frame, droppable = false) => {
    if (socket.readyState !== socket.OPEN) return;
    const backlog = socket.bufferedAmount;
    if (backlog > maxBacklogBytes) {
      socket.close(CloseCode.TryAgainLater, SLOW_CONSUMER_REASON);
      return;
    }
    if (droppable && backlog > maxBacklogBytes / 2) return;
    socket.send(frame, TEXT_FRAME);
  };
}
