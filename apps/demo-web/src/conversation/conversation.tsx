import type { ChatRoom, Message } from '@hirechat/client-sdk';
import { useLayoutEffect, useRef } from 'react';
import { MembersPanel } from '../members/members-panel.js';
import { useSession } from '../session.js';
import { Composer } from './composer.js';
import { ConnectionBanner } from './connection-banner.js';
import { MessageItem } from './message-item.js';
import { useConversation } from './use-conversation.js';

const NOBODY: readonly string[] = [];

/** How close to the top (px) scrolling loads the page before; to the bottom, follows new messages. */
const EDGE_PX = 48;

/** An open room: its people, its messages with scroll-back, who is typing, and the message box. */
export function Conversation({ room }: { room: ChatRoom }) {
  const session = useSession();
  const { me, nameOf } = session;
  const conversation = useConversation(session, room.uuid);
  const { messages, typingUsers } = conversation;
  const list = useRef<HTMLOListElement>(null);
  const lastOwn = newestOf(messages, me.id);

  // Keep the view where the person left it: at the bottom as messages come, or on the same
  // message when an older page is put above it.
  const scroll = useRef({ height: 0, atBottom: true, first: '' });
  useLayoutEffect(() => {
    const element = list.current;
    if (!element) return;
    const before = scroll.current;
    const first = messages[0]?.uuid ?? '';
    if (before.first && first !== before.first && !before.atBottom) {
      element.scrollTop += element.scrollHeight - before.height;
    } else if (before.atBottom) {
      element.scrollTop = element.scrollHeight;
    }
    scroll.current = { ...before, height: element.scrollHeight, first };
  }, [messages]);

  const onScroll = () => {
    const element = list.current;
    if (!element) return;
    scroll.current.atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < EDGE_PX;
    scroll.current.height = element.scrollHeight;
    if (element.scrollTop < EDGE_PX) conversation.loadOlder();
  };

  const others = [room.recruiter, ...room.clients].filter((id) => id !== me.id);
  return (
    <section className="conversation" aria-label="Conversation">
      <header className="conversation-header">
        <h2>{others.length > 0 ? others.map(nameOf).join(', ') : 'Only you'}</h2>
        <span className="muted">{room.clients.length + 1} people</span>
      </header>
      {/* Who is online is known only while connected: the last word otherwise, which may be stale. */}
      <MembersPanel
        room={room}
        onlineUsers={conversation.status === 'open' ? conversation.onlineUsers : NOBODY}
      />
      <ConnectionBanner status={conversation.status} closedBecause={conversation.closedBecause} />
      <ol className="messages" aria-label="Messages" ref={list} onScroll={onScroll}>
        {conversation.hasOlder && (
          <li className="older">
            <button type="button" onClick={conversation.loadOlder} disabled={conversation.loadingOlder}>
              {conversation.loadingOlder ? 'Loading…' : 'Show older messages'}
            </button>
          </li>
        )}
        {messages.map((message) => (
          <MessageItem
            key={message.uuid}
            message={message}
            showSeenBy={message === lastOwn}
            onEdit={(content) => conversation.edit(message.uuid, content)}
            onDelete={() => conversation.remove(message.uuid)}
            onRefresh={() => conversation.refresh(message.uuid)}
          />
        ))}
      </ol>
      <div className="typing" role="status" aria-label="Typing">
        {typingUsers.length > 0 &&
          `${typingUsers.map(nameOf).join(', ')} ${typingUsers.length === 1 ? 'is' : 'are'} typing…`}
      </div>
      {conversation.error && (
        <p className="error" role="alert">
          {conversation.error}
        </p>
      )}
      <Composer
        disabled={conversation.status === 'closed'}
        onSend={conversation.send}
        onSendFile={conversation.sendFile}
        onTyping={conversation.typing}
      />
    </section>
  );
}

/** The newest message of the sender, if any: the one that says who has seen them. */
function newestOf(messages: readonly Message[], sender: string): Message | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.sender === sender) return messages[i];
  return undefined;
}
