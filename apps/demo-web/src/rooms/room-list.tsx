import type { ChatRoom } from '@hirechat/client-sdk';
import { Avatar } from '../avatar.js';
import { fileName } from '../conversation/attachment.js';
import { useSession } from '../session.js';

export interface RoomListProps {
  rooms: readonly ChatRoom[] | null;
  selected: string | null;
  onSelect(room: ChatRoom): void;
}

/** The rooms, latest activity first (as the live inbox keeps them): who is in each, its last message, and its unread count. */
export function RoomList({ rooms, selected, onSelect }: RoomListProps) {
  const { me, nameOf } = useSession();
  if (!rooms) return <p className="muted pad">Loading rooms…</p>;
  if (rooms.length === 0) return <p className="muted pad">No rooms yet: start one.</p>;
  return (
    <ul className="rooms" aria-label="Rooms">
      {rooms.map((room) => {
        const others = [room.recruiter, ...room.clients].filter((id) => id !== me.id).map(nameOf);
        const last = room.last_message;
        const preview = !last
          ? 'No messages yet'
          : `${last.sender === me.id ? 'You: ' : ''}${last.content ?? `File: ${fileName(last)}`}`;
        return (
          <li key={room.uuid}>
            <button
              type="button"
              className={room.uuid === selected ? 'room selected' : 'room'}
              aria-current={room.uuid === selected}
              onClick={() => onSelect(room)}
            >
              <Avatar name={others[0] ?? '?'} />
              <span className="room-text">
                <strong className="room-name">{others.length > 0 ? others.join(', ') : 'Only you'}</strong>
                <span className="room-preview">{preview}</span>
              </span>
              {room.unread_count > 0 && (
                <span className="badge">
                  {room.unread_count}
                  <span className="visually-hidden"> unread</span>
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
