import type { Message } from '@hirechat/client-sdk';
import { type MouseEvent, type ReactNode, useRef, useState } from 'react';

/** Files shown as a picture; the browser shows each of these formats itself. */
const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

/** The name a file was stored under, from its path (`/media/chat_files/cv_QTbo98H.pdf`). */
export function fileName(message: Message): string {
  return decodeURIComponent(message.file?.split('/').pop() ?? 'file');
}

export interface AttachmentProps {
  message: Message;
  /**
   * Fetches the message again and puts it on screen: the answer carries a fresh `file_url`. Null
   * when it could not be fetched (the conversation then says why, and drops a deleted message).
   */
  refresh(): Promise<Message | null>;
}

/**
 * A message's file, through its `file_url` (signed: `<img src>` and links need no token). An image
 * (png, jpg, jpeg, gif, webp) shows as a preview that opens full size in a new tab; anything else,
 * and an image the browser cannot show, as a download link with its name.
 *
 * A `file_url` expires (MEDIA_URL_TTL_S after the message was fetched, an hour by default), and a
 * message may stay on screen for longer; the message fetched again carries a fresh one. So a click
 * on a link fetches the message first and follows the fresh URL, and a preview that fails to load
 * (a lazy image scrolled into view late, say) fetches it once and tries the fresh URL.
 */
export function Attachment({ message, refresh }: AttachmentProps) {
  const name = fileName(message);
  const url = message.file_url;
  const [broken, setBroken] = useState(false);
  const refreshed = useRef(false);

  if (!url) {
    return (
      <span className="attachment">
        <PaperclipIcon />
        <span className="attachment-name">{name}</span>
      </span>
    );
  }

  if (IMAGE.test(name) && !broken) {
    const retry = async () => {
      // Once: a fresh URL that fails too, or the same URL again (it had not expired), is a file
      // the browser cannot show as an image, not a stale link.
      if (refreshed.current) return setBroken(true);
      refreshed.current = true;
      const fresh = await refresh();
      if (!fresh?.file_url || fresh.file_url === url) setBroken(true);
    };
    return (
      <FileLink className="attachment-image" url={url} name={name} opens="tab" refresh={refresh}>
        <img src={url} alt={name} loading="lazy" onError={retry} />
      </FileLink>
    );
  }

  return (
    <span className="attachment">
      <PaperclipIcon />
      <FileLink className="attachment-name" url={url} name={name} opens="download" refresh={refresh}>
        {name}
      </FileLink>
    </span>
  );
}

interface FileLinkProps {
  className: string;
  url: string;
  name: string;
  /** A preview opens the file in a new tab; any other file downloads under its name. */
  opens: 'tab' | 'download';
  refresh(): Promise<Message | null>;
  children: ReactNode;
}

/**
 * A link to a file that follows a fresh `file_url` on a plain click. A click with a modifier (a new
 * tab or window, saving the link) is left to the browser, with the URL on screen.
 */
function FileLink({ className, url, name, opens, refresh, children }: FileLinkProps) {
  const target = opens === 'tab' ? { target: '_blank', rel: 'noreferrer' } : { download: name };
  const follow = async (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const fresh = await refresh();
    if (!fresh?.file_url) return;
    // A link of the same kind to the fresh URL, clicked while the person's click still counts as
    // theirs (browsers allow a new tab or a download for a few seconds after one).
    const link = document.createElement('a');
    link.href = fresh.file_url;
    if (opens === 'tab') {
      link.target = '_blank';
      link.rel = 'noreferrer';
    } else link.download = name;
    link.click();
  };
  return (
    <a className={className} href={url} {...target} onClick={follow}>
      {children}
    </a>
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
