import type { ChatRoom, ConnectionStatus, LiveInbox } from '@hirechat/client-sdk';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Session } from '../session.js';

export interface Inbox {
  /** The live inbox, for its events (null for the moment before it is made). */
  live: LiveInbox | null;
  /** The user's rooms, latest activity first; null until first fetched. */
  rooms: readonly ChatRoom[] | null;
  status: ConnectionStatus;
}

const NO_ROOMS: readonly ChatRoom[] = [];
const nothingToFollow = () => () => undefined;

/**
 * The signed-in user's rooms, live: one `chat.inbox()` for the session, read through React's
 * `useSyncExternalStore` (the SDK's `subscribe` and `getSnapshot` are made for it). The SDK keeps
 * the order, the last messages and the unread counts current, and reconnects by itself.
 */
export function useInbox(session: Session): Inbox {
  const { chat } = session;
  const [live, setLive] = useState<LiveInbox | null>(null);

  useEffect(() => {
    const inbox = chat.inbox();
    setLive(inbox);
    return () => inbox.close();
  }, [chat]);

  const rooms = useSyncExternalStore(
    live?.subscribe ?? nothingToFollow,
    live?.getSnapshot ?? (() => NO_ROOMS),
  );
  const followStatus = useCallback(
    (changed: () => void) => live?.on('status', changed) ?? (() => undefined),
    [live],
  );
  const status = useSyncExternalStore(followStatus, () => live?.status ?? 'connecting');

  return { live, rooms: status === 'connecting' ? null : rooms, status };
}
