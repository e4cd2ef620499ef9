import { UpdateMessageBodySchema } from '@hirechat/protocol';
import { ChatError } from '../domain/chat-error.js';
import type { Logger } from '../ports/logger.js';
import { withDeadline } from './deadline.js';
import type { BeforeMessageHook, BeforeMessageInput, BeforeMessageVerdict } from './hook-options.js';

/** What a message may be stored with once the hook has seen it. */
export interface Moderated {
  /** The text to store: the hook's rewrite, or the text as sent. */
  content: string | null;
}

/**
 * Runs the app's `beforeMessage` hook (see ChatHooks), or lets everything through without one.
 * Its answer decides the request: a rejection is a 400 `message_rejected` with the hook's reason;
 * a failure (a throw, no answer in time, an answer that is not a verdict, or a rewrite that is
 * not valid content) is a 503 `unavailable`, logged: nothing was stored, and the client may try
 * again.
 */
export class BeforeMessage {
  constructor(
    private readonly hook: BeforeMessageHook | undefined,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Whether the app gave a hook: without one, check() lets everything through untouched. */
  get active(): boolean {
    return this.hook !== undefined;
  }

  /** @throws ChatError `message_rejected` or `unavailable`. */
  async check(input: BeforeMessageInput): Promise<Moderated> {
    const { hook } = this;
    if (!hook) return { content: input.content };
    let verdict: BeforeMessageVerdict;
    try {
      verdict = await withDeadline(this.timeoutMs, () => hook(input));
    } catch (error) {
      throw this.failed(input, error, 'beforeMessage hook failed');
    }
    if (verdict === undefined || verdict === null) return { content: input.content };
    if (typeof verdict === 'object' && 'reject' in verdict && typeof verdict.reject === 'string') {
      throw ChatError.of('message_rejected', verdict.reject);
    }
    if (typeof verdict === 'object' && 'content' in verdict) {
      if (input.content === null) {
        throw this.failed(input, null, 'beforeMessage hook gave content to a file message');
      }
      const rewritten = UpdateMessageBodySchema.safeParse({ content: verdict.content });
      if (rewritten.success) return { content: rewritten.data.content };
      throw this.failed(
        input,
        rewritten.error,
        'beforeMessage hook rewrote the content into invalid content',
      );
    }
    throw this.failed(input, null, 'beforeMessage hook answered something that is not a verdict');
  }

  private failed(input: BeforeMessageInput, error: unknown, why: string): ChatError {
    this.logger.error({ err: error, room: input.chat_room, action: input.action }, why);
    return ChatError.of(
      'unavailable',
      'The message could not be checked, so nothing was stored. Try again in a moment.',
    );
  }
}
