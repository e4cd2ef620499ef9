import type { Logger } from '../ports/logger.js';

/** How long a warning or error, once written, is only counted when it comes again. */
export const DEFAULT_REPEAT_WINDOW_MS = 10_000;

type Level = 'warn' | 'error';

interface Window {
  /** Lines of this level and message that came after the written one, not written. */
  repeats: number;
  /** The fields of the last of them, for the summary line. */
  lastFields: object;
  timer: NodeJS.Timeout;
}

/**
 * A logger that writes a warning or error the first time it comes, then only counts the same one
 * (level, message, and the message of its `err`) for a window, and ends the window with one line of
 * the last one's fields and `repeated: n`. An outage of Redis or the database fails every request the same way: without this,
 * a busy server writes thousands of identical lines a second, and the first one is all that helps.
 * Info lines pass through.
 */
export class RepeatThrottledLogger implements Logger {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly inner: Logger,
    private readonly windowMs: number = DEFAULT_REPEAT_WINDOW_MS,
  ) {}

  info(fields: object, message?: string): void {
    this.inner.info(fields, message);
  }

  warn(fields: object, message?: string): void {
    this.write('warn', fields, message);
  }

  error(fields: object, message?: string): void {
    this.write('error', fields, message);
  }

  private write(level: Level, fields: object, message: string | undefined): void {
    const key = `${level}\n${message ?? ''}\n${errorMessageOf(fields)}`;
    const open = this.windows.get(key);
    if (open) {
      open.repeats++;
      open.lastFields = fields;
      return;
    }
    this.inner[level](fields, message);
    const window: Window = {
      repeats: 0,
      lastFields: fields,
      timer: setTimeout(() => this.close(key, level, message), this.windowMs),
    };
    // A quiet server may exit while a window is open; what it has not written by then was a repeat.
    window.timer.unref();
    this.windows.set(key, window);
  }

  private close(key: string, level: Level, message: string | undefined): void {
    const window = this.windows.get(key);
    this.windows.delete(key);
    if (window && window.repeats > 0) {
      this.inner[level]({ ...window.lastFields, repeated: window.repeats }, message);
    }
  }
}

/** Different failures under one message (`request failed`) are told apart by their error. */
function errorMessageOf(fields: object): string {
  const err: unknown = (fields as { err?: unknown }).err;
  return err instanceof Error ? err.message : '';
}
