/** How `typing(true)` is rationed. */
export interface TypingOptions {
  /**
   * At most one `typing: true` frame this often while typing continues. The server keeps a typist
   * for 5 s after each, so 2 s keeps them in with room to spare. Default 2000.
   */
  intervalMs?: number;
  /** `typing: false` is sent by itself this long after the last `typing(true)`. Default 3000. */
  idleMs?: number;
}

export const DEFAULT_TYPING: Required<TypingOptions> = { intervalMs: 2_000, idleMs: 3_000 };

/**
 * Turns keystroke-rate `typing(true)` calls into few frames: the first goes at once, then at most
 * one per interval while they continue; `typing: false` goes on `typing(false)` or after the idle
 * time, once, and only if `true` was sent.
 */
export class TypingSignal {
  private readonly options: Required<TypingOptions>;
  /** Whether the server was told `true` and not `false` since. */
  private active = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** Sends the frame; answers false when it could not (the socket is not open). */
    private readonly send: (typing: boolean) => boolean,
    options: TypingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_TYPING, ...options };
  }

  set(typing: boolean): void {
    if (!typing) {
      this.stop();
      return;
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), this.options.idleMs);
    if (this.active && this.now() - this.lastSentAt < this.options.intervalMs) return;
    if (this.send(true)) {
      this.active = true;
      this.lastSentAt = this.now();
    }
  }

  /** Forgets what was sent: after a reconnect the server has forgotten it too. */
  reset(): void {
    clearTimeout(this.idleTimer);
    this.active = false;
    this.lastSentAt = Number.NEGATIVE_INFINITY;
  }

  private stop(): void {
    clearTimeout(this.idleTimer);
    if (!this.active) return;
    this.active = false;
    this.send(false);
  }
}
