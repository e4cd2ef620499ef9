import { ChatError } from '../domain/chat-error.js';

/**
 * Waits for a socket's admission for at most `ms` (RequestDeadlines.handshakeMs). Past it, rejects
 * with ChatError `unavailable`, which refuses the socket as a database outage does (1011, so that
 * clients retry); an admission that still succeeds later is handed to `release`, so that what it
 * holds (a room subscription) is given back.
 */
export function admitWithin<T>(admission: Promise<T>, ms: number, release: (late: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(ChatError.of('unavailable', 'The socket could not be admitted in time.'));
    }, ms);
    admission.then(
      (admitted) => {
        clearTimeout(timer);
        if (late) release(admitted);
        else resolve(admitted);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!late) reject(error);
      },
    );
  });
}
