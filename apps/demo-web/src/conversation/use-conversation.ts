import {
  ChatApiError,
  type ConnectionStatus,
  type Message,
  type MessageListQueryInput,
  type RoomConnection,
} from '@hirechat/client-sdk';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { describeError, type Wording } from '../errors.js';
import type { Session } from '../session.js';
import { emptyStore, inOrder, messageReducer } from './message-store.js';

/** Messages per history page. */
const PAGE_SIZE = 30;

/**
 * Failures about the room (its pages, sending to it). REST answers 404 for a room the caller is not
 * in as for one that does not exist, so both mean the same to the person.
 */
const ROOM_WORDING: Wording = {
  forbidden: 'You are no longer in this room.',
  not_found: 'You are no longer in this room.',
};

/** Failures about one message (fetching, editing or deleting it). */
const MESSAGE_WORDING: Wording = {
  forbidden: 'Only its sender can change or delete a message.',
  not_found: 'That message has been deleted.',
};

/**
 * Why the live room stopped for good, by the code of its `error` event (the SDK stops on these
 * three): the banner reads "This conversation is closed: <this>".
 */
const CLOSED_WORDING: Wording = {
  forbidden: 'you are not in this room.',
  not_found: 'this room does not exist.',
  not_authenticated: 'your sign-in could not be renewed. Sign out and sign in again.',
};

export interface Conversation {
  /** Oldest first. */
  messages: Message[];
  /** The live room's status: `reconnecting` shows the banner. */
  status: ConnectionStatus;
  /** Why the room closed for good (not a participant, no such room), when it did. */
  closedBecause: string | null;
  /** Others typing now. */
  typingUsers: string[];
  /** The room's participants online now (a room or inbox socket open), as its `presence` events say. */
  onlineUsers: readonly string[];
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
  /**
   * Fetches one message again and shows it as fetched (with a fresh `file_url`); null, with the
   * reason in `error`, when that failed. A message that is gone is taken off the screen.
   */
  refresh(uuid: string): Promise<Message | null>;
  /** Call on every keystroke; the SDK rations what goes out. */
  typing(): void;
}

/**
 * One open room: its live connection (`chat.connect`), its history page by page
 * (`chat.messages.list`, newest page first, then older ones on demand), who of it is online, what
 * the signed-in user does in it, and read receipts for every message of others it shows. (The
 * room list needs no word of it: the live inbox hears of everything itself.)
 */
export function useConversation(session: Session, roomId: string): Conversation {
  const { chat, me } = session;
  const [store, dispatch] = useReducer(messageReducer, emptyStore);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [closedBecause, setClosedBecause] = useState<string | null>(null);
  const [typingUsers, setTypingUsers] = useState<string[]>([]);
  const [onlineUsers, setOnlineUsers] = useState<readonly string[]>([]);
  const [older, setOlder] = useState<MessageListQueryInput | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = useRef<RoomConnection | null>(null);
  const readsSent = useRef(new Set<string>());

  useEffect(() => {
    dispatch({ type: 'reset' });
    setStatus('connecting');
    setClosedBecause(null);
    setTypingUsers([]);
    setOnlineUsers([]);
    setOlder(null);
    setError(null);
    readsSent.current = new Set();

    const room = chat.connect(roomId);
    live.current = room;
    // History after `opened`, so that nothing falls between the page and the live events.
    const loadNewest = () =>
      chat.messages.list({ chat_room: roomId, limit: PAGE_SIZE }).then(
        (page) => {
          if (live.current !== room) return;
          dispatch({ type: 'upsert', messages: page.messages });
          setOlder(page.next);
        },
        (failure: unknown) => live.current === room && setError(describeError(failure, ROOM_WORDING)),
      );
    const unsubscribe = [
      room.on('message_created', (event) => dispatch({ type: 'upsert', messages: [event.message] })),
      room.on('message_updated', (event) => dispatch({ type: 'upsert', messages: [event.message] })),
      room.on('message_deleted', (event) => dispatch({ type: 'remove', uuid: event.message.uuid })),
      room.on('message_read', (event) =>
        dispatch({ type: 'read', uuid: event.message_id, reader: event.user_id }),
      ),
      room.on('typing', (event) => setTypingUsers(event.typing_users.filter((id) => id !== me.id))),
      room.on('presence', (event) => setOnlineUsers(event.online_users)),
      room.on('status', setStatus),
      // Shown only once the room has closed for good; a refused frame leaves it open, and is no
      // business of the person's.
      room.on('error', (event) => setClosedBecause(CLOSED_WORDING[event.code] ?? event.detail)),
      room.on('resync', ({ page }) => {
        if (page) {
          dispatch({ type: 'replace', messages: page.messages });
          setOlder(page.next);
        } else loadNewest();
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
        (failure: unknown) => setError(describeError(failure, ROOM_WORDING)),
      )
      .finally(() => setLoadingOlder(false));
  }, [chat, older, loadingOlder]);

  /**
   * Runs a REST action; its answer is shown at once (the live event that follows changes nothing).
   * An action on one message names it in `about`: if the message is gone, it leaves the screen.
   */
  const act = useCallback(
    async (action: () => Promise<Message | null>, about?: { uuid: string; removes?: boolean }) => {
      setError(null);
      try {
        const message = await action();
        if (message) dispatch({ type: 'upsert', messages: [message] });
        if (about?.removes) dispatch({ type: 'remove', uuid: about.uuid });
      } catch (failure) {
        if (about && isGone(failure)) dispatch({ type: 'remove', uuid: about.uuid });
        setError(describeError(failure, about ? MESSAGE_WORDING : ROOM_WORDING));
      }
    },
    [],
  );

  const refresh = useCallback(
    async (uuid: string) => {
      try {
        const message = await chat.messages.get(uuid);
        dispatch({ type: 'upsert', messages: [message] });
        return message;
      } catch (failure) {
        if (isGone(failure)) dispatch({ type: 'remove', uuid });
        setError(describeError(failure, MESSAGE_WORDING));
        return null;
      }
    },
    [chat],
  );

  return {
    messages,
    status,
    closedBecause: status === 'closed' ? closedBecause : null,
    typingUsers,
    onlineUsers,
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
    edit: (uuid, content) => act(() => chat.messages.update(uuid, { content }), { uuid }),
    remove: (uuid) => act(() => chat.messages.delete(uuid).then(() => null), { uuid, removes: true }),
    refresh,
    typing: () => live.current?.typing(true),
  };
}

/** A message that was deleted meanwhile (or whose room the person left) answers 404. */
function isGone(failure: unknown): boolean {
  return failure instanceof ChatApiError && failure.code === 'not_found';
}
