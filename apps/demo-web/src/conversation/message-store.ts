import type { Message } from '@hirechat/client-sdk';

/**
 * The messages of one room as the app knows them, by uuid: history pages and live events may both
 * bring the same message (the SDK's advice: keep messages by uuid), and a page fetched before a
 * deletion must not bring the deleted message back.
 */
export interface MessageStore {
  byId: ReadonlyMap<string, Message>;
  deleted: ReadonlySet<string>;
}

export type MessageAction =
  | { type: 'reset' }
  /** Replace everything with this page (a resync). */
  | { type: 'replace'; messages: Message[] }
  /** A history page or a message that was created or edited. */
  | { type: 'upsert'; messages: Message[] }
  | { type: 'remove'; uuid: string }
  | { type: 'read'; uuid: string; reader: string };

export const emptyStore: MessageStore = { byId: new Map(), deleted: new Set() };

export function messageReducer(store: MessageStore, action: MessageAction): MessageStore {
  switch (action.type) {
    case 'reset':
      return emptyStore;
    case 'replace':
      return { byId: new Map(action.messages.map((message) => [message.uuid, message])), deleted: new Set() };
    case 'upsert': {
      const byId = new Map(store.byId);
      for (const message of action.messages) {
        if (!store.deleted.has(message.uuid)) byId.set(message.uuid, message);
      }
      return { ...store, byId };
    }
    case 'remove': {
      const byId = new Map(store.byId);
      byId.delete(action.uuid);
      return { byId, deleted: new Set(store.deleted).add(action.uuid) };
    }
    case 'read': {
      const message = store.byId.get(action.uuid);
      if (!message || message.read_by.includes(action.reader)) return store;
      const byId = new Map(store.byId);
      byId.set(action.uuid, { ...message, is_viewed: true, read_by: [...message.read_by, action.reader] });
      return { ...store, byId };
    }
  }
}

/** Oldest first, as a conversation reads; the timestamps share one offset, so text order is time order. */
export function inOrder(store: MessageStore): Message[] {
  return [...store.byId.values()].sort(
    (a, b) => a.timestamp.localeCompare(b.timestamp) || a.uuid.localeCompare(b.uuid),
  );
}
