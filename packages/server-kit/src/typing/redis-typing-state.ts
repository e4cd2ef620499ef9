import { DEFAULT_TYPING_TIMEOUT_MS } from '@hirechat/protocol';
import type { Redis } from 'ioredis';
import { MAX_TIMER_MS } from '../options/whole-number-option.js';
import type { TypingExpiryListener, TypingState } from '../ports/typing-state.js';
import { requireReady } from '../redis/require-ready.js';
import { DUE_ROOMS, EXPIRE_ROOM, GET_TYPING, SET_TYPING } from './redis-typing-scripts.js';

export interface RedisTypingStateOptions {
  /** Runs the typing scripts; a client in normal (not subscriber) mode. Not closed by the state. */
  redis: Redis;
  /** How long a typist stays in the set without a renewed `typing: true`. Default: 5000. */
  timeoutMs?: number;
  /**
   * Keys are `<prefix>:typing:<room>`, `<prefix>:typing:<room>:started` and
   * `<prefix>:typing-rooms`. Default: `'hirechat'`.
   */
  prefix?: string;
  /**
   * How often the state looks for expired typists that no process announced yet, e.g. those of
   * a process that died. Typists set or seen by this process are announced on time regardless.
   * Default: 1000.
   */
  sweepIntervalMs?: number;
  /**
   * Called when an expiry listener throws, so that one bad listener cannot silence the rest.
   * Default: console.error.
   */
  onListenerError?: (error: unknown, room: string) => void;
  /** Called when a sweep for expired typists fails (it is retried). Default: console.error. */
  onSweepError?: (error: unknown) => void;
}

/** Rooms a sweep expires at most per script call; more are taken in further rounds. */
const SWEEP_BATCH = 100;
/** Keys outlive their last typist's expiry by this much, so that a sweep can still announce it. */
const KEY_TTL_MARGIN_MS = 60_000;

/**
 * Typing state shared by every process through Redis, so that `typing_users` is the same
 * everywhere.
 *
 * - Each room is a sorted set of typists scored by expiry time, with a twin scored by start time
 *   that orders `typing_users` as the in-process state does (in the order they started). Every
 *   read and write is one Lua script on the Redis clock, atomic across processes.
 * - Expired typists never count, even before they are removed, so a process that dies cannot
 *   leave typists behind. Removal is announced to `onExpire` listeners by whichever process's
 *   sweep removes them (an atomic remove that answers what it removed), so once in all. Each
 *   process times a sweep for the earliest expiry it knows of, and sweeps every
 *   `sweepIntervalMs` for the rest. Keys expire a minute after their last typist.
 * - `set(room, user, false)` takes the user out whichever process it comes from: a stop, a
 *   message or a disconnect all look alike through this port. So a user with sockets on two
 *   processes leaves the set when their last socket on either closes; their next
 *   `typing: true` brings them back.
 * - Commands go only over a ready connection: while Redis is unreachable, `set` and `get`
 *   reject at once, and sweeps wait for it to come back.
 */
export class RedisTypingState implements TypingState {
  private readonly redis: Redis;
  private readonly timeoutMs: number;
  private readonly keyTtlMs: number;
  private readonly prefix: string;
  private readonly indexKey: string;
  private readonly sweepIntervalMs: number;
  private readonly onListenerError: (error: unknown, room: string) => void;
  private readonly onSweepError: (error: unknown) => void;
  private readonly listeners: TypingExpiryListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires, by this process's clock. */
  private timerAt = Number.POSITIVE_INFINITY;
  private sweeping: Promise<void> | undefined;
  private sweepAgain = false;
  private closed = false;

  constructor(options: RedisTypingStateOptions) {
    if (!options?.redis) throw new TypeError('RedisTypingState: `redis` must be an ioredis client.');
    const timeoutMs = options.timeoutMs ?? DEFAULT_TYPING_TIMEOUT_MS;
    const sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
    for (const [name, value] of [
      ['timeoutMs', timeoutMs],
      ['sweepIntervalMs', sweepIntervalMs],
    ] as const) {
      if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
        throw new TypeError(
          `RedisTypingState: \`${name}\` must be a number of ms above 0 and at most ${MAX_TIMER_MS}.`,
        );
      }
    }
    this.redis = options.redis;
    this.timeoutMs = Math.ceil(timeoutMs);
    this.keyTtlMs = this.timeoutMs + KEY_TTL_MARGIN_MS;
    this.sweepIntervalMs = sweepIntervalMs;
    this.prefix = `${options.prefix ?? 'hirechat'}:typing`;
    this.indexKey = `${this.prefix}-rooms`;
    this.onListenerError =
      options.onListenerError ??
      ((error, room) => console.error(`RedisTypingState: an expiry listener of room ${room} threw`, error));
    this.onSweepError =
      options.onSweepError ?? ((error) => console.error('RedisTypingState: a sweep failed', error));
    // The first sweep learns the earliest expiry that other processes left.
    this.schedule(0);
  }

  async set(room: string, user: string, typing: boolean): Promise<string[] | null> {
    this.assertOpen();
    requireReady(this.redis, 'RedisTypingState');
    const reply = await SET_TYPING.run(this.redis, this.roomKeys(room), [
      room,
      user,
      typing ? '1' : '0',
      this.timeoutMs,
      this.keyTtlMs,
    ]);
    // One past the expiry, so that the sweep finds it strictly in the past.
    if (typing) this.schedule(this.timeoutMs + 1);
    const [changed, ...typists] = reply as [number, ...string[]];
    return changed === 1 ? typists : null;
  }

  async get(room: string): Promise<string[]> {
    this.assertOpen();
    requireReady(this.redis, 'RedisTypingState');
    return (await GET_TYPING.run(this.redis, this.roomKeys(room), [])) as string[];
  }

  onExpire(listener: TypingExpiryListener): void {
    this.listeners.push(listener);
  }

  /** Stops sweeping; the typists stay in Redis for the other processes. The client stays open. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  private roomKeys(room: string): [string, string, string] {
    const expires = `${this.prefix}:${room}`;
    return [expires, `${expires}:started`, this.indexKey];
  }

  /** Makes the next sweep happen within `delayMs`, keeping an earlier one. */
  private schedule(delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.startSweep(), delayMs);
    // Typists who wandered off must not keep the process alive on shutdown.
    this.timer.unref();
  }

  private startSweep(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = this.sweep()
      .catch((error: unknown) => {
        if (!this.closed) this.onSweepError(error);
      })
      .finally(() => {
        this.sweeping = undefined;
        if (this.sweepAgain) {
          this.sweepAgain = false;
          this.schedule(0);
        }
        // Whatever happened, look again within the interval.
        this.schedule(this.sweepIntervalMs);
      });
  }

  private async sweep(): Promise<void> {
    // An outage is not news; the interval retries once Redis is back.
    if (this.closed || this.redis.status !== 'ready') return;
    for (;;) {
      const [now, indexNext, ...rooms] = (await DUE_ROOMS.run(
        this.redis,
        [this.indexKey],
        [SWEEP_BATCH],
      )) as [number, number, ...string[]];
      let next = indexNext;
      for (const room of rooms) {
        if (this.closed) return;
        const [removed, roomNext, ...remaining] = (await EXPIRE_ROOM.run(this.redis, this.roomKeys(room), [
          room,
          this.keyTtlMs,
        ])) as [number, number, ...string[]];
        if (roomNext >= 0 && (next < 0 || roomNext < next)) next = roomNext;
        if (removed > 0) this.announce(room, remaining);
      }
      if (rooms.length < SWEEP_BATCH) {
        // Both times are on the Redis clock; the difference is a delay on any clock.
        if (next >= 0) this.schedule(Math.max(next - now, 0) + 1);
        return;
      }
    }
  }

  private announce(room: string, remaining: string[]): void {
    if (this.closed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(room, [...remaining]);
      } catch (error) {
        this.onListenerError(error, room);
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('RedisTypingState: closed.');
  }
}
