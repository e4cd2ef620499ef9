import type { ChatRoom } from '@hirechat/client-sdk';
import { type FormEvent, useState } from 'react';
import { describeError } from '../errors.js';
import { useSession } from '../session.js';

/**
 * Starts a room. A recruiter picks clients; a client picks a recruiter. Creating a room that
 * exists (the same recruiter and clients) answers that room, which then opens.
 */
export function NewRoomForm({ onCreated }: { onCreated(room: ChatRoom): void }) {
  const { me, users, chat } = useSession();
  const recruiting = me.role === 'recruiter';
  const choices = users.filter((user) => user.role === (recruiting ? 'client' : 'recruiter'));
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (id: string) =>
    setPicked((current) =>
      recruiting ? (current.includes(id) ? current.filter((p) => p !== id) : [...current, id]) : [id],
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const room = await chat.rooms.create(
        recruiting ? { recruiter: me.id, clients: picked } : { recruiter: picked[0] ?? '', clients: [me.id] },
      );
      onCreated(room);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="new-room" onSubmit={submit} aria-label="New room">
      <h2>New room</h2>
      <fieldset>
        <legend>{recruiting ? 'Clients' : 'Recruiter'}</legend>
        {choices.map((user) => (
          <label key={user.id} className="choice">
            <input
              type={recruiting ? 'checkbox' : 'radio'}
              name="people"
              checked={picked.includes(user.id)}
              onChange={() => toggle(user.id)}
            />
            {user.name}
          </label>
        ))}
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || picked.length === 0}>
        Create room
      </button>
    </form>
  );
}
