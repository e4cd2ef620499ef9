import type { Message } from '../chat-types.js';

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

/** The name a file was stored under, from its path (`/media/chat_files/cv_QTbo98H.pdf`). */
export function fileName(message: Message): string {
  return decodeURIComponent(message.file?.split('/').pop() ?? 'file');
}

/**
 * A message's file. Every preview decision is here: an image shows as a picture, anything else
 * as a named attachment that opens in a new tab.
 */
export function Attachment({ message }: { message: Message }) {
  const name = fileName(message);
  // A URL that works without a header (`<img src>`, a plain link). Messages do not carry one yet:
  // once they do (the contract's `file_url`, signed), this line becomes `message.file_url`.
  const url: string | null = null;
  if (url && IMAGE.test(name)) {
    return (
      <a className="attachment-image" href={url} target="_blank" rel="noreferrer">
        <img src={url} alt={name} />
      </a>
    );
  }
  return (
    <span className="attachment">
      <PaperclipIcon />
      {url ? (
        <a href={url} target="_blank" rel="noreferrer">
          {name}
        </a>
      ) : (
        <span className="attachment-name">{name}</span>
      )}
    </span>
  );
}

/** Feather's paperclip (MIT): no emoji font needed. */
function PaperclipIcon() {
  return (
    <svg
      aria-hidden="true"
      width="14"
      height="14"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48" />
    </svg>
  );
}
