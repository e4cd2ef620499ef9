import type { Message, WebhookEvent } from '@hirechat/protocol';
import type { Caller } from '../domain/caller.js';
import type { UploadedFile } from '../ports/file-store.js';

/** What a `beforeMessage` hook is shown: a message about to be created, or an edit about to be stored. */
export interface BeforeMessageInput {
  /** `create` for a new message, `update` for a change of an existing message's content. */
  action: 'create' | 'update';
  /** Who sends (or edits) it; a participant of the room, checked before the hook runs. */
  sender: Caller;
  /** UUID of the room. */
  chat_room: string;
  /** The text to be stored (the new text, for an update); null for a file. */
  content: string | null;
  /** The uploaded file of a create, name and bytes (not stored yet); null otherwise. */
  file: UploadedFile | null;
  /** The job the message is about, or null. */
  job: string | null;
  /** For an update: the message as it is now. Null for a create. */
  existing: Message | null;
}

/**
 * What a `beforeMessage` hook answers: nothing (or `undefined`) lets the message through as it is;
 * `{ reject: reason }` refuses it, and the client gets a 400 `{"detail": reason, "code":
 * "message_rejected"}`; `{ content }` stores this text instead (for a text message only; it must
 * still be valid content: not blank, at most 10,000 characters).
 */
export type BeforeMessageVerdict = undefined | { reject: string } | { content: string };

/** Moderates (or rewrites) a message before anything of it is stored. May be async. */
export type BeforeMessageHook = (
  input: BeforeMessageInput,
) => BeforeMessageVerdict | Promise<BeforeMessageVerdict>;

/**
 * Receives every domain event of this process after the write that caused it has committed, in
 * commit order per room: the same events, in the same shape, as the webhooks carry. May be async;
 * the next event of the same room waits for it (up to `timeoutMs`).
 */
export type EventHook = (event: WebhookEvent) => void | Promise<void>;

/**
 * Server-side hooks of the plugin (`hooks` option), for apps that embed it.
 *
 * - `beforeMessage` runs for every create and update, after the caller's right to write is
 *   checked and before anything (the file included) is stored. If it throws, or has not answered
 *   within `timeoutMs`, the request fails with 503 `unavailable` and nothing is stored: a message
 *   that could not be moderated is not sent.
 * - `onEvent` runs after the commit, off the request's path: the request never waits for it. If
 *   it throws or times out, that is logged and the write stands; the next event goes on. It is in
 *   process and not durable: events still queued for it when the process stops are delivered
 *   first (up to `timeoutMs` each), but a crash loses them. For at-least-once delivery, use
 *   webhooks.
 */
export interface ChatHooks {
  beforeMessage?: BeforeMessageHook;
  onEvent?: EventHook;
  /** How long a hook call may take, in ms. Default 5000. */
  timeoutMs?: number;
  /**
   * Events that may wait for `onEvent` at once; past this, new events are dropped (and logged)
   * rather than grow the process's memory without bound. Default 10,000.
   */
  maxPendingEvents?: number;
}

export const HOOK_DEFAULTS = { timeoutMs: 5_000, maxPendingEvents: 10_000 } as const;
