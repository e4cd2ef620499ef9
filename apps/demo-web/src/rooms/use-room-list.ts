import type { ChatRoom } from '@hirechat/client-sdk';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../errors.js';
import type { Session } from '../session.js';

export interface RoomList {
  /** The user's rooms, latest activity first (the server's order); null until first loaded. */
  rooms: ChatRoom[] | null;
  error: string | null;
  /** Something changed that the list shows (a message, a read, a new room): fetch it again. */
  refresh(): void;
}

/**
 * The signed-in user's rooms with their unread counts: the one place the app learns of them.
 *
 * For now it fetches the list over REST, again whenever `refresh` says something changed (the open
 * conversation calls it on each of its room's events) and when the browser comes back online.
 * Rooms that are not open change unseen until then. Once the SDK has the live inbox
 * (`chat.inbox()`), this hook follows it instead, and nothing outside this file changes.
 */
export function useRoomList(session: Session): RoomList {
  const { chat } = session;
  const [rooms, setRooms] = useState<ChatRoom[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // One fetch at a time; a refresh asked for meanwhile makes one more fetch after it, not one each.
  const fetching = useRef<{ again: boolean } | null>(null);

  const refresh = useCallback(() => {
    if (fetching.current) {
      fetching.current.again = true;
      return;
    }
    const run = { again: false };
    fetching.current = run;
    chat.rooms
      .list()
      .then(
        (list) => {
          setRooms(list);
          setError(null);
        },
        (failure: unknown) => setError(describeError(failure)),
      )
      .finally(() => {
        fetching.current = null;
        if (run.again) refresh();
      });
  }, [chat]);

  useEffect(() => {
    refresh();
    window.addEventListener('online', refresh);
    return () => window.removeEventListener('online', refresh);
  }, [refresh]);

  return { rooms, error, refresh };
}
