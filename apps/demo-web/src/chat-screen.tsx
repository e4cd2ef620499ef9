import type { ChatRoom } from '@hirechat/client-sdk';
import { useEffect, useState } from 'react';
import { Avatar } from './avatar.js';
import { Conversation } from './conversation/conversation.js';
import { NewRoomForm } from './rooms/new-room-form.js';
import { RoomList } from './rooms/room-list.js';
import { useInbox } from './rooms/use-inbox.js';
import { useSession } from './session.js';
import { forgetUser } from './sign-in/remembered-user.js';

/** The open room (as it was when opened), the new-room form, nothing, or a room the person lost. */
type View = { kind: 'room'; room: ChatRoom } | { kind: 'new' } | { kind: 'none' } | { kind: 'gone' };

/** The signed-in app: rooms on the left, the open room (or the new-room form) on the right. */
export function ChatScreen({ onSignOut }: { onSignOut(): void }) {
  const session = useSession();
  const { me } = session;
  const inbox = useInbox(session);
  const [view, setView] = useState<View>({ kind: 'none' });
  // The open room as the inbox has it now (its people change), else as it was opened (a room just
  // created, before the inbox has heard of it).
  const open =
    view.kind === 'room' ? (inbox.rooms?.find((room) => room.uuid === view.room.uuid) ?? view.room) : null;

  // Removed from the open room, or left it: it closes.
  useEffect(
    () =>
      inbox.live?.on('room_removed', (event) =>
        setView((current) =>
          current.kind === 'room' && current.room.uuid === event.room_id ? { kind: 'gone' } : current,
        ),
      ),
    [inbox.live],
  );

  return (
    <div className="layout">
      <aside className="sidebar">
        <header className="me">
          <Avatar name={me.name} />
          <span className="me-text">
            <strong>{me.name}</strong>
            <span className="muted">{me.role}</span>
          </span>
          <button
            type="button"
            className="link"
            onClick={() => {
              forgetUser();
              onSignOut();
            }}
          >
            Sign out
          </button>
        </header>
        <div className="sidebar-actions">
          <button type="button" onClick={() => setView({ kind: 'new' })}>
            New room
          </button>
          {inbox.status === 'reconnecting' && <span className="muted">Reconnecting…</span>}
        </div>
        {inbox.status === 'closed' && (
          <p className="error pad">The room list stopped: sign out and sign in again.</p>
        )}
        <RoomList
          rooms={inbox.rooms}
          selected={open?.uuid ?? null}
          onSelect={(room) => setView({ kind: 'room', room })}
        />
      </aside>
      <main className="main">
        {view.kind === 'new' && <NewRoomForm onCreated={(room) => setView({ kind: 'room', room })} />}
        {open && <Conversation key={open.uuid} room={open} />}
        {view.kind === 'none' && <p className="muted empty">Pick a room, or start a new one.</p>}
        {view.kind === 'gone' && (
          <p className="muted empty" role="status">
            You are no longer in that room.
          </p>
        )}
      </main>
    </div>
  );
}
