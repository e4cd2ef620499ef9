import type { ConnectionStatus, RoomConnection } from '@hirechat/client-sdk';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Message } from '../chat-types.js';
import { describeError } from '../errors.js';
import type { Session } from '../session.js';
import { emptyStore, inOrder, messageReducer } from './message-store.js';

/** Messages per history page. */
const PAGE_SIZE = 30;

type OlderQuery = Parameters<Session['chat']['messages']['list']>[0];

export interface Conversation {
  /** Oldest first. */
  messages: Message[];
  /** The live room's status: `reconnecting` shows the banner. */
  status: ConnectionStatus;
  /** Why the room closed for good (not a participant, no such room), when it did. */
  closedBecause: string | null;
  /** Others typing now. */
  typingUsers: string[];
  /** Whether older messages than those shown exist. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The last action that failed, for the person to read. */
  error: string | null;
  loadOlder(): void;
  send(content: string): Promise<void>;
  sendFile(file: File): Promise<void>;
  edit(uuid: string, content: string): Promise<void>;
  remove(uuid: string): Promise<void>;
  /** Call on every keystroke; the SDK rations what goes out. */
  typing(): void;
}

/**
 * One open room: its live connection (`chat.connect`), its history page by page
 * (`chat.messages.list`, newest page first, then older ones on demand), what the signed-in user
 * does in it, and read receipts for every message of others it shows. `onActivity` is called on
 * each of the room's events, for the room list.
 */
export function useConversation(session: Session, roomId: string, onActivity: () => void): Conversation {
  const { chat, me } = session;
  const [store, dispatch] = useReducer(messageReducer, emptyStore);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [closedBecause, setClosedBecause] = useState<string | null>(null);
  const [typingUsers, setTypingUsers] = useState<string[]>([]);
  const [older, setOlder] = useState<OlderQuery | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = useRef<RoomConnection | null>(null);
  const readsSent = useRef(new Set<string>());
  const activity = useRef(onActivity);
  activity.current = onActivity;

  useEffect(() => {
    dispatch({ type: 'reset' });
    setStatus('connecting');
    setClosedBecause(null);
    setTypingUsers([]);
    setOlder(null);
    setError(null);
    readsSent.current = new Set();

    const room = chat.connect(roomId);
    live.current = room;
    const changed = () => activity.current();
    // History after `opened`, so that nothing falls between the page and the live events.
    const loadNewest = () =>
      chat.messages.list({ chat_room: roomId, limit: PAGE_SIZE }).then(
        (page) => {
          if (live.current !== room) return;
          dispatch({ type: 'upsert', messages: page.messages });
          setOlder(page.next);
        },
        (failure: unknown) => live.current === room && setError(describeError(failure)),
      );
    const unsubscribe = [
      room.on('message_created', (event) => {
        dispatch({ type: 'upsert', messages: [event.message] });
        changed();
      }),
      room.on('message_updated', (event) => {
        dispatch({ type: 'upsert', messages: [event.message] });
        changed();
      }),
      room.on('message_deleted', (event) => {
        dispatch({ type: 'remove', uuid: event.message.uuid });
        changed();
      }),
      room.on('message_read', (event) => {
        dispatch({ type: 'read', uuid: event.message_id, reader: event.user_id });
        changed();
      }),
      room.on('typing', (event) => setTypingUsers(event.typing_users.filter((id) => id !== me.id))),
      room.on('status', setStatus),
      // Shown only once the room has closed for good; a refused frame leaves it open, and is no
      // business of the person's.
      room.on('error', (event) => setClosedBecause(event.detail)),
      room.on('resync', ({ page }) => {
        if (page) {
          dispatch({ type: 'replace', messages: page.messages });
          setOlder(page.next);
        } else loadNewest();
        changed();
      }),
    ];
    room.opened.then(loadNewest, () => undefined);

    return () => {
      for (const off of unsubscribe) off();
      room.close();
      live.current = null;
    };
  }, [chat, me.id, roomId]);

  const messages = useMemo(() => inOrder(store), [store]);

  // Whatever of others' the person has in front of them counts as read.
  useEffect(() => {
    for (const message of messages) {
      if (message.sender === me.id || message.read_by.includes(me.id)) continue;
      if (readsSent.current.has(message.uuid)) continue;
      readsSent.current.add(message.uuid);
      live.current?.markRead(message.uuid);
    }
  }, [messages, me.id]);

  const loadOlder = useCallback(() => {
    if (!older || loadingOlder) return;
    setLoadingOlder(true);
    chat.messages
      .list(older)
      .then(
        (page) => {
          dispatch({ type: 'upsert', messages: page.messages });
          setOlder(page.next);
        },
        (failure: unknown) => setError(describeError(failure)),
      )
      .finally(() => setLoadingOlder(false));
  }, [chat, older, loadingOlder]);

  /** Runs a REST action; its answer is shown at once (the live event that follows changes nothing). */
  const act = useCallback(async (action: () => Promise<Message | null>, removed?: string) => {
    setError(null);
    try {
      const message = await action();
      if (message) dispatch({ type: 'upsert', messages: [message] });
      if (removed) dispatch({ type: 'remove', uuid: removed });
      activity.current();
    } catch (failure) {
      setError(describeError(failure));
    }
  }, []);

  return {
    messages,
    status,
    closedBecause: status === 'closed' ? closedBecause : null,
    typingUsers,
    hasOlder: older !== null,
    loadingOlder,
    error,
    loadOlder,
    send: (content) =>
      act(() => {
        live.current?.typing(false);
        return chat.messages.create({ chat_room: roomId, content });
      }),
    sendFile: (file) => act(() => chat.messages.create({ chat_room: roomId, file })),
    edit: (uuid, content) => act(() => chat.messages.update(uuid, { content })),
    remove: (uuid) => act(() => chat.messages.delete(uuid).then(() => null), uuid),
    typing: () => live.current?.typing(true),
  };
}
