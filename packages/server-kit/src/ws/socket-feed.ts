import {
  isLoggedRoomEvent,
  type LoggedRoomEvent,
  type RoomEvent,
  type ServerEvent,
  type Since,
} from '@hirechat/protocol';
import type { Replay } from '../domain/chat-service.js';

/** Where a feed reads what live delivery did not bring: the room's event log and typing set. */
export interface FeedSource {
  replay(since: Since): Promise<Replay>;
  typingUsers(): Promise<string[]>;
}

type Task = () => void | Promise<void>;

/** An event's JSON as it goes on the wire: text, or its UTF-8 bytes sent as a text frame. */
export type Frame = string | Buffer;

const idle: Task = () => undefined;

/**
 * What one socket is sent of its room, in order: logged events by seq, each once and with none
 * missing, and typing sets as they come.
 *
 * Live events go straight out while nothing is pending. Two things read the log instead: a resume
 * (`?since=`), which replays what the client missed, and a gap in the live seqs (an event the
 * broker lost, or one that another process published late), which is filled from the log before
 * the event that revealed it. Live events that arrive meanwhile wait in line behind the read, and
 * are sent after it, or dropped when the read had them already. The log can serve any gap: seqs
 * are taken under the room's row lock, so when seq n has committed, so has every seq before it.
 */
export class SocketFeed {
  /** Seq of the last logged event sent; null until the first, for a socket opened without `since`. */
  private lastSeq: number | null = null;
  private readonly line: Task[] = [];
  /** A task is running, or waiting for the log: what comes meanwhile waits in line. */
  private busy = false;
  private stopped = false;

  constructor(
    private readonly sendFrame: (frame: Frame) => void,
    private readonly source: FeedSource,
    /** Called once when reading the log failed; the feed has stopped, and the socket should go. */
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /**
   * Starts a socket opened with `?since=`: the logged events after `since` (or `resync_required`),
   * then the room's typing set, then `synced`; live events follow.
   */
  resume(since: Since): void {
    this.enqueue(() => this.replay(since));
  }

  /**
   * Starts a socket opened without `since` at the room's seq when it was admitted; when events
   * may have passed it while its handshake completed (`missedSome`), it first reads those from the
   * log. It gets no typing set and no `synced`: the seed's clients know neither. Without a starting
   * seq, an event published late by another process could arrive after a newer one and be taken
   * for old.
   */
  follow(fromSeq: number, missedSome: boolean): void {
    this.lastSeq = fromSeq;
    if (missedSome) this.enqueue(() => this.catchUp());
  }

  /** A live event of the room, with its JSON (encoded once for all of the room's sockets). */
  push(event: RoomEvent, frame: Frame): void {
    this.enqueue(() => this.deliver(event, frame));
  }

  /** Sends nothing more: the socket has closed. */
  stop(): void {
    this.stopped = true;
    this.line.length = 0;
  }

  private enqueue(task: Task): void {
    if (this.stopped) return;
    if (!this.busy) this.run(task);
    else this.line.push(task);
  }

  /**
   * Runs the task, then the line, in order: synchronously for as long as no task has to wait for
   * the log (no promise per event on the hot path), and on from where it stopped once it has.
   */
  private run(task: Task): void {
    this.busy = true;
    let next: Task | undefined = task;
    try {
      while (next && !this.stopped) {
        const pending = next();
        if (pending) {
          pending.then(
            () => this.run(this.line.shift() ?? idle),
            (error: unknown) => this.fail(error),
          );
          return;
        }
        next = this.line.shift();
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    this.busy = false;
  }

  private fail(error: unknown): void {
    this.stop();
    this.onFailure(error);
  }

  private deliver(event: RoomEvent, frame: Frame): void | Promise<void> {
    if (!isLoggedRoomEvent(event)) return this.sendFrame(frame);
    const last = this.lastSeq;
    if (last !== null && event.seq <= last) return; // sent already, from the log
    if (last !== null && event.seq > last + 1) return this.fillGap(last, event, frame);
    this.lastSeq = event.seq;
    this.sendFrame(frame);
  }

  private async replay(since: Since): Promise<void> {
    const replay = await this.source.replay(since);
    this.sendLogged(replay);
    this.lastSeq = replay.seq;
    this.send({ type: 'typing', typing_users: await this.source.typingUsers() });
    this.send({ type: 'synced', seq: replay.seq });
  }

  private async catchUp(): Promise<void> {
    const replay = await this.source.replay(this.lastSeq ?? 0);
    // A log pruned past the starting seq within a handshake has nothing a new client asked for.
    if (!replay.resync) this.sendLogged(replay);
    this.lastSeq = Math.max(this.lastSeq ?? 0, replay.seq);
  }

  private async fillGap(last: number, event: LoggedRoomEvent, frame: Frame): Promise<void> {
    const replay = await this.source.replay(last);
    this.sendLogged(replay);
    // The log had the event that revealed the gap (it committed before it was published), unless
    // it no longer reaches back that far: then the client was told to resync, and the event goes
    // now. Never below the event, so that a log that answered less cannot send us round again.
    this.lastSeq = replay.resync ? event.seq - 1 : Math.max(replay.seq, event.seq - 1);
    this.deliver(event, frame);
  }

  private sendLogged(replay: Replay): void {
    if (replay.resync) this.send({ type: 'resync_required' });
    else for (const logged of replay.events) this.send(logged);
  }

  private send(event: ServerEvent): void {
    this.sendFrame(JSON.stringify(event));
  }
}
