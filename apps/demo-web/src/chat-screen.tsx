import type { ChatRoom } from '@hirechat/client-sdk';
import { useState } from 'react';
import { Avatar } from './avatar.js';
import { Conversation } from './conversation/conversation.js';
import { NewRoomForm } from './rooms/new-room-form.js';
import { RoomList } from './rooms/room-list.js';
import { useRoomList } from './rooms/use-room-list.js';
import { useSession } from './session.js';
import { forgetUser } from './sign-in/remembered-user.js';

type View = { kind: 'room'; room: ChatRoom } | { kind: 'new' } | { kind: 'none' };

/** The signed-in app: rooms on the left, the open room (or the new-room form) on the right. */
export function ChatScreen({ onSignOut }: { onSignOut(): void }) {
  const session = useSession();
  const { me } = session;
  const roomList = useRoomList(session);
  const [view, setView] = useState<View>({ kind: 'none' });
  const open = view.kind === 'room' ? view.room : null;

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
          <button type="button" className="link" onClick={roomList.refresh} aria-label="Refresh rooms">
            ↻
          </button>
        </div>
        {roomList.error && <p className="error pad">{roomList.error}</p>}
        <RoomList
          rooms={roomList.rooms}
          selected={open?.uuid ?? null}
          onSelect={(room) => setView({ kind: 'room', room })}
        />
      </aside>
      <main className="main">
        {view.kind === 'new' && (
          <NewRoomForm
            onCreated={(room) => {
              roomList.refresh();
              setView({ kind: 'room', room });
            }}
          />
        )}
        {open && <Conversation key={open.uuid} room={open} onActivity={roomList.refresh} />}
        {view.kind === 'none' && <p className="muted empty">Pick a room, or start a new one.</p>}
      </main>
    </div>
  );
}
