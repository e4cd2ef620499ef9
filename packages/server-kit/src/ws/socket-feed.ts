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
  private draining = false;
  private stopped = false;

  constructor(
    private readonly sendFrame: (frame: string) => void,
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
   * Starts a socket opened without `since` at the room's seq when it was admitted: the events
   * logged since then (published while its handshake completed), then live ones. It gets no
   * typing set and no `synced`: the seed's clients know neither. Without a starting seq, an
   * event published late by another process could arrive after a newer one and be taken for old.
   */
  follow(fromSeq: number): void {
    this.lastSeq = fromSeq;
    this.enqueue(() => this.catchUp());
  }

  /** A live event of the room, with its JSON (made once for all of the room's sockets). */
  push(event: RoomEvent, frame: string): void {
    this.enqueue(() => this.deliver(event, frame));
  }

  /** Sends nothing more: the socket has closed. */
  stop(): void {
    this.stopped = true;
    this.line.length = 0;
  }

  private enqueue(task: Task): void {
    if (this.stopped) return;
    this.line.push(task);
    if (!this.draining) void this.drain();
  }

  /** Runs the line in order; synchronously for as long as no task has to wait for the log. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (!this.stopped && this.line.length > 0) {
        const pending = this.line.shift()!();
        if (pending) await pending;
      }
    } catch (error) {
      this.stop();
      this.onFailure(error);
    } finally {
      this.draining = false;
    }
  }

  private deliver(event: RoomEvent, frame: string): void | Promise<void> {
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

  private async fillGap(last: number, event: LoggedRoomEvent, frame: string): Promise<void> {
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
