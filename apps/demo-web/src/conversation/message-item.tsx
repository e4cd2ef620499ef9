import type { Message } from '@hirechat/client-sdk';
import { type FormEvent, useState } from 'react';
import { useSession } from '../session.js';
import { Attachment } from './attachment.js';

export interface MessageItemProps {
  message: Message;
  /** Show who has read it: on the person's newest message. */
  showSeenBy: boolean;
  onEdit(content: string): Promise<void>;
  onDelete(): Promise<void>;
  /** Fetches the message again (for a fresh `file_url`); see Attachment. */
  onRefresh(): Promise<Message | null>;
}

const time = (timestamp: string) =>
  new Date(timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** One message: the person's own on the right, with edit and delete; others' on the left. */
export function MessageItem({ message, showSeenBy, onEdit, onDelete, onRefresh }: MessageItemProps) {
  const { me, nameOf } = useSession();
  const mine = message.sender === me.id;
  const [draft, setDraft] = useState<string | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (draft === null || draft.trim() === '') return;
    await onEdit(draft.trim());
    setDraft(null);
  };

  return (
    <li className={mine ? 'message mine' : 'message'} data-message={message.uuid}>
      {!mine && <span className="sender">{nameOf(message.sender)}</span>}
      <div className="bubble">
        {message.file && <Attachment message={message} refresh={onRefresh} />}
        {draft === null ? (
          message.content && <p className="content">{message.content}</p>
        ) : (
          <form className="edit" onSubmit={save}>
            <input
              aria-label="Edit message"
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={(event) => event.key === 'Escape' && setDraft(null)}
            />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </form>
        )}
        <span className="meta">
          {time(message.timestamp)}
          {message.is_edited && ' · edited'}
        </span>
      </div>
      {mine && draft === null && (
        <span className="actions">
          {message.content !== null && (
            <button type="button" onClick={() => setDraft(message.content ?? '')}>
              Edit
            </button>
          )}
          <button type="button" onClick={() => onDelete()}>
            Delete
          </button>
        </span>
      )}
      {mine && showSeenBy && (
        <span className="seen-by" data-testid="seen-by">
          {message.read_by.length > 0 ? `Seen by ${message.read_by.map(nameOf).join(', ')}` : 'Sent'}
        </span>
      )}
    </li>
  );
}
