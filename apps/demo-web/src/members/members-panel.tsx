import type { ChatRoom } from '@hirechat/client-sdk';
import { type FormEvent, useState } from 'react';
import { describeError, type Wording } from '../errors.js';
import { useSession } from '../session.js';

/** What a person is told when a change of the room's people fails, by the error's code. */
const MEMBERS_WORDING: Wording = {
  forbidden: "Only the room's recruiter can do that.",
  not_found: 'That person is no longer in this room.',
};

export interface MembersPanelProps {
  /** The room as the live inbox has it: its people change as clients are added and removed. */
  room: ChatRoom;
  /** Who of them is online now (the room's `presence`). */
  onlineUsers: readonly string[];
}

/**
 * The room's people, each with a presence dot. Its recruiter may add a demo client
 * (`chat.rooms.addClients`) and remove any client (`chat.rooms.removeClient`); a client may leave
 * (`chat.rooms.leave`). What follows shows through the live inbox: the room's new people here, the
 * room appearing or going in the lists of those added or removed.
 */
export function MembersPanel({ room, onlineUsers }: MembersPanelProps) {
  const { me, users, chat, nameOf } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [adding, setAdding] = useState('');
  const recruiting = room.recruiter === me.id;
  const addable = users.filter((user) => user.role === 'client' && !room.clients.includes(user.id));

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(describeError(failure, MEMBERS_WORDING));
    } finally {
      setBusy(false);
    }
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!adding) return;
    void act(async () => {
      await chat.rooms.addClients(room.uuid, [adding]);
      setAdding('');
    });
  };

  return (
    <section className="members" aria-label="People">
      <ul className="member-list">
        {[room.recruiter, ...room.clients].map((id) => {
          const online = onlineUsers.includes(id);
          // The signed-in person is "You" (see nameOf).
          const name = nameOf(id);
          return (
            <li key={id} className="member" aria-label={name}>
              <span
                className={online ? 'presence online' : 'presence'}
                role="img"
                aria-label={online ? 'online' : 'offline'}
                title={online ? 'Online' : 'Offline'}
              />
              <span>{name}</span>
              {id === room.recruiter && <span className="muted">recruiter</span>}
              {recruiting && id !== room.recruiter && (
                <button
                  type="button"
                  className="link"
                  disabled={busy}
                  aria-label={`Remove ${nameOf(id)}`}
                  onClick={() => act(() => chat.rooms.removeClient(room.uuid, id))}
                >
                  ×
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {recruiting && addable.length > 0 && (
        <form className="member-add" onSubmit={add}>
          <select
            aria-label="Add a client"
            value={adding}
            onChange={(event) => setAdding(event.target.value)}
          >
            <option value="">Add a client…</option>
            {addable.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || !adding}>
            Add
          </button>
        </form>
      )}
      {!recruiting && room.clients.includes(me.id) && (
        <button
          type="button"
          className="link"
          disabled={busy}
          onClick={() => act(() => chat.rooms.leave(room.uuid))}
        >
          Leave room
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
