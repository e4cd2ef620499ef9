import type { RoomEvent, Since } from '@hirechat/protocol';
import type { Replay } from '../domain/live/replay.js';

/**
 * An event a feed carries: a logged one has the `seq` of its log (a room's, or a user's inbox);
 * one without is state (typing, presence), sent as it comes.
 */
export interface FeedEvent {
  type: string;
  seq?: number;
}

type Logged<E> = E & { seq: number };

/** Where a feed reads what live delivery did not bring, and what it asks of each event. */
export interface FeedSource<E extends FeedEvent> {
  replay(since: Since): Promise<Replay<Logged<E>>>;
  /** State a resumed socket is sent after its replay and before `synced` (a room's typing set). */
  stateAfterReplay(): Promise<FeedEvent[]>;
  /**
   * Whether the socket may be sent this logged event at all. One it may not (its user was removed
   * from the room by it) ends the feed before it is sent: nothing after it is sent either.
   */
  admits(event: Logged<E>): boolean;
}

type Task = () => void | Promise<void>;

/**
 * The events that are state (contract: `typing`, `presence`), each frame the whole of it: a socket
 * that lags needs only the newest, once it reads again (see BoundedSender).
 */
const STATE_EVENTS: ReadonlySet<string> = new Set<RoomEvent['type']>(['typing', 'presence']);

/** The state an event is, by its type; undefined for every other event. */
const stateOf = (event: FeedEvent): string | undefined =>
  STATE_EVENTS.has(event.type) ? event.type : undefined;

/** An event's JSON as it goes on the wire: text, or its UTF-8 bytes sent as a text frame. */
export type Frame = string | Buffer;

/** How a feed puts frames on its socket (BoundedSender). */
export interface FeedSender {
  /** Sends a live event's frame; a frame of `state` may wait while the socket lags. */
  send(frame: Frame, state?: string): void;
  /**
   * Sends a replayed event's frame; a promise when the socket lags, after which the replay goes on
   * (see BoundedSender).
   */
  sendPaced(frame: Frame): Promise<void> | undefined;
}

/** Why a feed ended by itself. */
export type FeedEnd = { reason: 'failed'; error: unknown } | { reason: 'excluded' };

const idle: Task = () => undefined;

function isLogged<E extends FeedEvent>(event: E): event is Logged<E> {
  return typeof event.seq === 'number';
}

/**
 * What one socket is sent of its log, in order: logged events by seq, each once and with none
 * missing, and state as it comes. The same for a room socket and an inbox socket.
 *
 * Live events go straight out while nothing is pending. Two things read the log instead: a resume
 * (`?since=`), which replays what the client missed, and a gap in the live seqs (an event the
 * broker lost, or one that another process published late), which is filled from the log before
 * the event that revealed it. Live events that arrive meanwhile wait in line behind the read, and
 * are sent after it, or dropped when the read had them already. The log can serve any gap: seqs
 * are taken under a row lock held to commit, so when seq n has committed, so has every seq before it.
 */
export class SocketFeed<E extends FeedEvent> {
  /** Seq of the last logged event sent; null until the first, for a socket opened without `since`. */
  private lastSeq: number | null = null;
  private readonly line: Task[] = [];
  /** A task is running, or waiting for the log: what comes meanwhile waits in line. */
  private busy = false;
  private stopped = false;

  constructor(
    private readonly sender: FeedSender,
    private readonly source: FeedSource<E>,
    /** Called once when the feed ended by itself; the socket should go. */
    private readonly onEnd: (end: FeedEnd) => void,
  ) {}

  /**
   * Starts a socket opened with `?since=`: the logged events after `since` (or `resync_required`),
   * then the source's state, then `synced`; live events follow.
   */
  resume(since: Since): void {
    this.enqueue(() => this.replay(since));
  }

  /**
   * Starts a socket opened without `since` at its log's seq when it was admitted; when events may
   * have passed it while its handshake completed (`missedSome`), it first reads those from the
   * log. It gets no replayed state and no `synced`: the seed's clients know neither. Without a
   * starting seq, an event published late by another process could arrive after a newer one and
   * be taken for old.
   */
  follow(fromSeq: number, missedSome: boolean): void {
    this.lastSeq = fromSeq;
    if (missedSome) this.enqueue(() => this.catchUp());
  }

  /** A live event, with its JSON (encoded once for all of the topic's sockets). */
  push(event: E, frame: Frame): void {
    this.enqueue(() => this.deliver(event, frame));
  }

  /** Sends what `make` answers, in line after everything before it (a socket's first presence). */
  sendInLine(make: () => Promise<FeedEvent | null>): void {
    this.enqueue(async () => {
      const event = await make();
      if (event && !this.stopped) this.send(event);
    });
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
            (error: unknown) => this.end({ reason: 'failed', error }),
          );
          return;
        }
        next = this.line.shift();
      }
    } catch (error) {
      this.end({ reason: 'failed', error });
      return;
    }
    this.busy = false;
  }

  private end(end: FeedEnd): void {
    if (this.stopped) return;
    this.stop();
    this.onEnd(end);
  }

  private deliver(event: E, frame: Frame): void | Promise<void> {
    if (!isLogged(event)) return this.sender.send(frame, stateOf(event));
    const last = this.lastSeq;
    if (last !== null && event.seq <= last) return; // sent already, from the log
    if (last !== null && event.seq > last + 1) return this.fillGap(last, event, frame);
    if (!this.admitted(event)) return;
    this.lastSeq = event.seq;
    this.sender.send(frame);
  }

  private async replay(since: Since): Promise<void> {
    const replay = await this.source.replay(since);
    if (!(await this.sendLogged(replay))) return;
    this.lastSeq = replay.seq;
    for (const state of await this.source.stateAfterReplay()) this.send(state);
    this.send({ type: 'synced', seq: replay.seq });
  }

  private async catchUp(): Promise<void> {
    const replay = await this.source.replay(this.lastSeq ?? 0);
    // A log pruned past the starting seq within a handshake has nothing a new client asked for.
    if (!replay.resync && !(await this.sendLogged(replay))) return;
    this.lastSeq = Math.max(this.lastSeq ?? 0, replay.seq);
  }

  private async fillGap(last: number, event: Logged<E>, frame: Frame): Promise<void> {
    const replay = await this.source.replay(last);
    if (!(await this.sendLogged(replay))) return;
    // The log had the event that revealed the gap (it committed before it was published), unless
    // it no longer reaches back that far: then the client was told to resync, and the event goes
    // now. Never below the event, so that a log that answered less cannot send us round again.
    this.lastSeq = replay.resync ? event.seq - 1 : Math.max(replay.seq, event.seq - 1);
    this.deliver(event, frame);
  }

  /**
   * Sends a replay's events, as fast as the socket takes them (live events wait in line meanwhile);
   * answers false when one of them ended the feed, or the socket closed.
   */
  private async sendLogged(replay: Replay<Logged<E>>): Promise<boolean> {
    if (replay.resync) {
      this.send({ type: 'resync_required' });
      return true;
    }
    for (const logged of replay.events) {
      if (this.stopped || !this.admitted(logged)) return false;
      const taken = this.sender.sendPaced(JSON.stringify(logged));
      if (taken) await taken;
    }
    return !this.stopped;
  }

  /** Whether the event may go to this socket; ends the feed when it may not. */
  private admitted(event: Logged<E>): boolean {
    if (this.source.admits(event)) return true;
    this.end({ reason: 'excluded' });
    return false;
  }

  private send(event: FeedEvent): void {
    this.sender.send(JSON.stringify(event), stateOf(event));
  }
}
