import { DEFAULT_TYPING_TIMEOUT_MS } from '@hirechat/protocol';
import { MAX_TIMER_MS } from '../options/whole-number-option.js';
import type { TypingExpiryListener, TypingState } from '../ports/typing-state.js';

export interface InProcessTypingStateOptions {
  /** How long a typist stays in the set without a renewed `typing: true`. Default: 5000. */
  timeoutMs?: number;
  /**
   * Called when an expiry listener throws, so that one bad listener cannot silence the rest.
   * Default: console.error.
   */
  onListenerError?: (error: unknown, room: string) => void;
}

/**
 * Typing state of one process, with a timer per typist. Right for a single server; several
 * servers behind one proxy need a shared state (Redis) so that they agree on who is typing.
 */
export class InProcessTypingState implements TypingState {
  private readonly timeoutMs: number;
  private readonly onListenerError: (error: unknown, room: string) => void;
  /** Per room, each typist's expiry timer; a Map keeps the order in which they started typing. */
  private readonly rooms = new Map<string, Map<string, NodeJS.Timeout>>();
  private readonly listeners: TypingExpiryListener[] = [];

  constructor(options: InProcessTypingStateOptions = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TYPING_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) {
      throw new TypeError(
        `InProcessTypingState: \`timeoutMs\` must be a number of ms above 0 and at most ${MAX_TIMER_MS}.`,
      );
    }
    this.timeoutMs = timeoutMs;
    this.onListenerError =
      options.onListenerError ??
      ((error, room) =>
        console.error(`InProcessTypingState: an expiry listener of room ${room} threw`, error));
  }

  async set(room: string, user: string, typing: boolean): Promise<string[] | null> {
    const typists = this.rooms.get(room);
    const timer = typists?.get(user);
    if (!typing) {
      if (!typists || timer === undefined) return null;
      clearTimeout(timer);
      return this.remove(room, typists, user);
    }
    const entry = typists ?? new Map<string, NodeJS.Timeout>();
    if (!typists) this.rooms.set(room, entry);
    if (timer !== undefined) clearTimeout(timer);
    // Setting an existing key keeps its place, so renewing does not reorder the set.
    entry.set(user, this.startTimer(room, user));
    return timer === undefined ? [...entry.keys()] : null;
  }

  async get(room: string): Promise<string[]> {
    return [...(this.rooms.get(room)?.keys() ?? [])];
  }

  onExpire(listener: TypingExpiryListener): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    for (const typists of this.rooms.values()) {
      for (const timer of typists.values()) clearTimeout(timer);
    }
    this.rooms.clear();
  }

  private startTimer(room: string, user: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.expire(room, user, timer), this.timeoutMs);
    // A typist who wandered off must not keep the process alive on shutdown.
    timer.unref();
    return timer;
  }

  private expire(room: string, user: string, timer: NodeJS.Timeout): void {
    const typists = this.rooms.get(room);
    // A renewal or removal may have replaced this timer after it had already been queued.
    if (typists?.get(user) !== timer) return;
    const remaining = this.remove(room, typists, user);
    for (const listener of [...this.listeners]) {
      try {
        listener(room, [...remaining]);
      } catch (error) {
        this.onListenerError(error, room);
      }
    }
  }

  private remove(room: string, typists: Map<string, NodeJS.Timeout>, user: string): string[] {
    typists.delete(user);
    if (typists.size === 0) this.rooms.delete(room);
    return [...typists.keys()];
  }
}
