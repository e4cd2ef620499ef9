import type { Writable } from 'node:stream';

/** Log output kept while the destination does not take it, before lines are dropped: 8 MiB. */
export const DEFAULT_LOG_BACKLOG_BYTES = 8 * 1024 * 1024;

export interface LogDestinationOptions {
  /** Unwritten output kept at most, in bytes; past it, lines are dropped. Default 8 MiB. */
  maxBacklogBytes?: number;
  /**
   * Told how many lines were dropped, once the destination takes lines again. Called from within
   * a write, after that line: a log line written from it goes out after it.
   */
  onDropped?: (lines: number) => void;
}

/**
 * Where the reference server's pino logger writes: a stream such as `process.stdout`, written
 * without ever waiting for it (issue 9, fault 9). A log reader that stalls must not stall the
 * server, and one that goes away must not stop or kill it; so lines are handed to the stream's
 * own non-blocking buffer, lines past `maxBacklogBytes` of backlog are dropped (and counted), and
 * after the stream fails (EPIPE: the reader is gone) every line is dropped.
 *
 * Not pino's default destination (sonic-boom): it writes with `fs.writeSync`, which waits, in a
 * loop that holds the event loop, for a stalled pipe; and its exit-time flush loops for ever on a
 * pipe whose reader has gone (EPIPE).
 */
export class LogDestination {
  private dropped = 0;
  private broken = false;
  private readonly maxBacklogBytes: number;
  private readonly onDropped: (lines: number) => void;

  constructor(
    private readonly out: Writable,
    options: LogDestinationOptions = {},
  ) {
    this.maxBacklogBytes = options.maxBacklogBytes ?? DEFAULT_LOG_BACKLOG_BYTES;
    this.onDropped = options.onDropped ?? (() => undefined);
    // Without a listener, a write error would be thrown as an uncaught exception and end the process.
    out.on('error', () => {
      this.broken = true;
    });
  }

  /** Lines dropped so far and not yet reported. */
  get droppedLines(): number {
    return this.dropped;
  }

  /** Takes one log line (pino calls this); never waits, never throws. */
  write(line: string): boolean {
    if (this.broken || !this.out.writable) return false;
    if (this.out.writableLength >= this.maxBacklogBytes) {
      this.dropped++;
      return false;
    }
    this.out.write(line);
    if (this.dropped > 0) {
      const dropped = this.dropped;
      this.dropped = 0;
      this.onDropped(dropped);
    }
    return true;
  }

  /**
   * Resolves once what was written has gone out, or the destination is broken, or after
   * `timeoutMs`, whichever comes first: a shutdown waits for its last lines this long at most.
   */
  flush(timeoutMs: number): Promise<void> {
    if (this.broken || this.out.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.out.off('drain', done);
        this.out.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.out.once('drain', done);
      this.out.once('error', done);
    });
  }
}
