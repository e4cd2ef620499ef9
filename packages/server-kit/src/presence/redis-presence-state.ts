import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MAX_TIMER_MS } from '../options/whole-number-option.js';
import {
  DEFAULT_PRESENCE_TIMEOUT_MS,
  type PresenceListener,
  type PresenceState,
} from '../ports/presence-state.js';
import { requireReady } from '../redis/require-ready.js';
import { APPLY, CLAIM_DEAD, DRAIN_DYING, ONLINE } from './redis-presence-scripts.js';

export interface RedisPresenceStateOptions {
  /** Runs the presence scripts; a client in normal (not subscriber) mode. Not closed by the state. */
  redis: Redis;
  /**
   * A user whose every socket was on a process that died is announced offline within this long
   * of that process's last word with Redis, in milliseconds. Default: 30000 (contract,
   * "Presence": `PRESENCE_TIMEOUT_MS`).
   */
  timeoutMs?: number;
  /**
   * Keys are `<prefix>:presence:procs`, `<prefix>:presence:dying` and
   * `<prefix>:presence:proc:<process id>`. Default: `'hirechat'`.
   */
  prefix?: string;
  /**
   * How often the state looks for processes that died, in milliseconds, besides the sweep it
   * times for the next lease it knows of. Default: 1000.
   */
  sweepIntervalMs?: number;
  /**
   * Called when a listener throws, so that one bad listener cannot silence the rest.
   * Default: console.error.
   */
  onListenerError?: (error: unknown) => void;
  /**
   * Called when a background step fails: renewing this process's lease, telling Redis what a
   * failed `connect` or `disconnect` could not, or sweeping for dead processes. Each is retried
   * (at the next renewal or sweep, and as soon as the connection is ready again).
   * Default: console.error.
   */
  onBackgroundError?: (error: unknown) => void;
}

/** A lease lasts this share of the timeout, leaving the rest for the sweep that finds it ended. */
const LEASE_SHARE = 0.9;
/** Renewals per lease: a process is taken for dead once it misses two in a row. */
const RENEWALS_PER_LEASE = 3;
/** Users per script call when many are written or announced at once. */
const USER_BATCH = 1_000;
/** Dead processes a sweep takes per script call; more are taken in further rounds. */
const SWEEP_BATCH = 100;
/** Keys outlive the last lease that touched them by this much, so that a sweep still finds them. */
const KEY_TTL_MARGIN_MS = 60_000;

interface Applied {
  /** Whether Redis had lost this process's registration and users (taken for dead, or forgotten). */
  wasTaken: boolean;
  online: string[];
  offline: string[];
}

/**
 * Presence shared by every process through Redis, so that `online_users` is the same everywhere.
 * Contract, "Presence".
 *
 * - Each process counts its own sockets per user, and keeps in Redis the set of users it holds
 *   plus a lease that it renews on a timer (a third of the lease): one script call, however many
 *   users it holds. `connect` and `disconnect` touch Redis only for a user's first and last
 *   socket on this process; `online` is one script call for any number of users.
 * - A process that dies stops renewing. Once its lease ends (0.9 × `timeoutMs` after its last
 *   renewal), the first live process to sweep takes its users atomically, and users that no live
 *   process holds are announced to `onExpire` listeners by exactly one process. Users it shared
 *   with a live process stay online. Every process sweeps when the next lease it knows of ends,
 *   and every `sweepIntervalMs`; leases are on the Redis clock, so process clocks do not matter.
 * - A process that was taken for dead but lives (it stalled, or lost Redis for longer than the
 *   lease) and one whose users Redis forgot (a restart without persistence) find out at their
 *   next renewal, or as soon as the connection is ready again, and write their users back; those
 *   who came online that way are announced to `onRestore` listeners.
 * - Commands go only over a ready connection: while Redis is unreachable, `online` rejects at
 *   once, and so do `connect` and `disconnect` of a user's first or last socket on this process.
 *   The count of sockets changes all the same; once Redis is back, the state tells it what those
 *   calls could not, and announces each such user's presence then (`onRestore` if online,
 *   `onExpire` if offline), possibly a second time if the failed call had taken effect.
 * - The writes of one process take effect in the order it sent them, on one connection, so that
 *   a quick disconnect and reconnect cannot end in the wrong state.
 * - Needs Redis 6.2 or later, a single server (not Cluster). Recommended client options:
 *   `commandTimeout` (e.g. 1000) and `autoResendUnfulfilledCommands: false`.
 */
export class RedisPresenceState implements PresenceState {
  private readonly redis: Redis;
  private readonly leaseMs: number;
  private readonly keyTtlMs: number;
  private readonly sweepIntervalMs: number;
  private readonly id = randomUUID();
  private readonly procsKey: string;
  private readonly dyingKey: string;
  private readonly procPrefix: string;
  private readonly ownKey: string;
  private readonly onListenerError: (error: unknown) => void;
  private readonly onBackgroundError: (error: unknown) => void;
  private readonly expireListeners: PresenceListener[] = [];
  private readonly restoreListeners: PresenceListener[] = [];
  /** Open sockets per user on this process; a user with none is not in the map. */
  private readonly sockets = new Map<string, number>();
  /** Users whose last write failed, so whose state in Redis is unknown. */
  private readonly unsure = new Set<string>();
  /** Whether Redis lost this process's users (taken for dead, or forgotten) and needs them back. */
  private lost = false;
  /** Whether a write has registered this process; the first one finds it unregistered, rightly. */
  private registered = false;
  private readonly renewTimer: NodeJS.Timeout;
  private maintaining: Promise<void> | undefined;
  private maintainAgain = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** When the sweep timer fires, by this process's clock. */
  private sweepAt = Number.POSITIVE_INFINITY;
  private sweeping: Promise<void> | undefined;
  private sweepAgain = false;
  private closed = false;

  /** @throws TypeError when `redis` is missing or a duration is not a positive number. */
  constructor(options: RedisPresenceStateOptions) {
    if (!options?.redis) throw new TypeError('RedisPresenceState: `redis` must be an ioredis client.');
    const timeoutMs = options.timeoutMs ?? DEFAULT_PRESENCE_TIMEOUT_MS;
    const sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
    for (const [name, value] of [
      ['timeoutMs', timeoutMs],
      ['sweepIntervalMs', sweepIntervalMs],
    ] as const) {
      if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
        throw new TypeError(
          `RedisPresenceState: \`${name}\` must be a number of ms above 0 and at most ${MAX_TIMER_MS}.`,
        );
      }
    }
    this.redis = options.redis;
    this.leaseMs = Math.max(Math.floor(timeoutMs * LEASE_SHARE), 1);
    this.keyTtlMs = this.leaseMs + KEY_TTL_MARGIN_MS;
    this.sweepIntervalMs = sweepIntervalMs;
    const prefix = `${options.prefix ?? 'hirechat'}:presence`;
    this.procsKey = `${prefix}:procs`;
    this.dyingKey = `${prefix}:dying`;
    this.procPrefix = `${prefix}:proc:`;
    this.ownKey = this.procPrefix + this.id;
    this.onListenerError =
      options.onListenerError ??
      ((error) => console.error('RedisPresenceState: a presence listener threw', error));
    this.onBackgroundError =
      options.onBackgroundError ??
      ((error) => console.error('RedisPresenceState: a lease renewal or sweep failed', error));
    this.renewTimer = setInterval(() => this.maintain(), this.leaseMs / RENEWALS_PER_LEASE);
    // Users must not keep the process alive on shutdown.
    this.renewTimer.unref();
    this.redis.on('ready', this.onReady);
    // The first sweep learns of the leases that other processes hold.
    this.scheduleSweep(0);
  }

  /**
   * @throws Error when closed, or when this is the user's first socket here and Redis is not ready
   *   or the write fails (the socket is counted all the same).
   */
  async connect(user: string): Promise<boolean> {
    this.assertOpen();
    const held = this.sockets.get(user) ?? 0;
    this.sockets.set(user, held + 1);
    if (held > 0) return false;
    const { online } = await this.write([user], []);
    return online.includes(user);
  }

  /**
   * @throws Error when closed, or when this was the user's last socket here and Redis is not
   *   ready or the write fails (the socket is uncounted all the same).
   */
  async disconnect(user: string): Promise<boolean> {
    this.assertOpen();
    const held = this.sockets.get(user);
    if (held === undefined) return false;
    if (held > 1) {
      this.sockets.set(user, held - 1);
      return false;
    }
    this.sockets.delete(user);
    const { offline } = await this.write([], [user]);
    return offline.includes(user);
  }

  /** @throws Error when closed, or when Redis is not ready or the script fails. */
  async online(users: readonly string[]): Promise<string[]> {
    this.assertOpen();
    if (users.length === 0) return [];
    requireReady(this.redis, 'RedisPresenceState');
    return (await ONLINE.run(
      this.redis,
      [this.procsKey, this.dyingKey],
      [this.procPrefix, ...users],
    )) as string[];
  }

  onExpire(listener: PresenceListener): void {
    this.expireListeners.push(listener);
  }

  onRestore(listener: PresenceListener): void {
    this.restoreListeners.push(listener);
  }

  /**
   * Stops renewing and sweeping, and forgets this process's sockets. Users it still holds stay
   * online in Redis until its lease ends, and are then announced by the other processes, so close
   * the sockets (and `disconnect` them) first. The client stays open.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.renewTimer);
    clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.redis.off('ready', this.onReady);
    await Promise.all([this.sweeping, this.maintaining]);
    this.sockets.clear();
    this.unsure.clear();
  }

  /** Writes a first or last socket through; on failure, leaves the user to `maintain`. */
  private async write(hold: string[], release: string[]): Promise<Applied> {
    try {
      requireReady(this.redis, 'RedisPresenceState');
      const applied = await this.apply(hold, release, 't');
      // Redis now has what this process has, whatever an earlier failed write left.
      for (const user of [...hold, ...release]) this.unsure.delete(user);
      // Its other users were taken while it was not looking: they go back in the background.
      if (applied.wasTaken) {
        this.lost = true;
        this.maintain();
      }
      return applied;
    } catch (error) {
      for (const user of [...hold, ...release]) this.unsure.add(user);
      // While Redis is away this does nothing; the `ready` event calls it again.
      this.maintain();
      throw error;
    }
  }

  private async apply(hold: string[], release: string[], mode: 't' | 's'): Promise<Applied> {
    const reply = (await this.redis.eval(
      APPLY,
      3,
      this.procsKey,
      this.dyingKey,
      this.ownKey,
      this.id,
      this.leaseMs,
      this.keyTtlMs,
      this.procPrefix,
      mode,
      hold.length,
      ...hold,
      ...release,
    )) as [number, number, ...string[]];
    const [registered, onlineCount, ...users] = reply;
    // Replies come in the order the writes were sent, so only the first reply can be the first.
    const wasTaken = registered === 0 && this.registered;
    this.registered = true;
    return {
      wasTaken,
      online: users.slice(0, onlineCount),
      offline: users.slice(onlineCount),
    };
  }

  private readonly onReady = (): void => {
    // Redis may have been restarted, or may have taken this process for dead meanwhile.
    this.maintain();
    this.scheduleSweep(0);
  };

  /** Renews the lease and repairs what Redis lost or was not told; one run at a time. */
  private maintain(): void {
    if (this.closed) return;
    if (this.maintaining) {
      this.maintainAgain = true;
      return;
    }
    this.maintaining = this.renewAndRepair()
      .catch((error: unknown) => {
        if (!this.closed) this.onBackgroundError(error);
      })
      .finally(() => {
        this.maintaining = undefined;
        if (this.maintainAgain) {
          this.maintainAgain = false;
          this.maintain();
        }
      });
  }

  private async renewAndRepair(): Promise<void> {
    // An outage is not news; the `ready` event brings this back.
    if (this.closed || this.redis.status !== 'ready') return;
    const renewal = await this.apply([], [], 't');
    if (renewal.wasTaken) this.lost = true;
    if (this.lost) {
      this.lost = false;
      try {
        // Each batch takes the sockets as they are when it is sent, and the writes of this
        // process take effect in order, so a socket that closes meanwhile cannot be undone.
        const users = [...this.sockets.keys()];
        for (let i = 0; i < users.length; i += USER_BATCH) {
          if (this.closed) return;
          const hold = users
            .slice(i, i + USER_BATCH)
            .filter((user) => this.sockets.has(user) && !this.unsure.has(user));
          if (hold.length === 0) continue;
          const applied = await this.apply(hold, [], 't');
          // Taken again mid-way: the batches before this one are gone too.
          if (applied.wasTaken) this.lost = true;
          this.announce(this.restoreListeners, applied.online);
        }
      } catch (error) {
        this.lost = true;
        throw error;
      }
      if (this.lost) this.maintainAgain = true;
    }
    while (this.unsure.size > 0) {
      if (this.closed) return;
      const batch = [...this.unsure].slice(0, USER_BATCH);
      for (const user of batch) this.unsure.delete(user);
      try {
        const applied = await this.apply(
          batch.filter((user) => this.sockets.has(user)),
          batch.filter((user) => !this.sockets.has(user)),
          's',
        );
        if (applied.wasTaken) {
          this.lost = true;
          this.maintainAgain = true;
        }
        this.announce(this.restoreListeners, applied.online);
        this.announce(this.expireListeners, applied.offline);
      } catch (error) {
        for (const user of batch) this.unsure.add(user);
        throw error;
      }
    }
  }

  /** Makes the next sweep happen within `delayMs`, keeping an earlier one. */
  private scheduleSweep(delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    if (this.sweepTimer && this.sweepAt <= at) return;
    clearTimeout(this.sweepTimer);
    this.sweepAt = at;
    this.sweepTimer = setTimeout(() => this.startSweep(), delayMs);
    this.sweepTimer.unref();
  }

  private startSweep(): void {
    this.sweepTimer = undefined;
    this.sweepAt = Number.POSITIVE_INFINITY;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = this.sweep()
      .catch((error: unknown) => {
        if (!this.closed) this.onBackgroundError(error);
      })
      .finally(() => {
        this.sweeping = undefined;
        if (this.sweepAgain) {
          this.sweepAgain = false;
          this.scheduleSweep(0);
        }
        // Whatever happened, look again within the interval.
        this.scheduleSweep(this.sweepIntervalMs);
      });
  }

  private async sweep(): Promise<void> {
    // An outage is not news; the interval retries once Redis is back.
    if (this.closed || this.redis.status !== 'ready') return;
    const keys = [this.procsKey, this.dyingKey];
    for (;;) {
      const [now, nextEnd, taken, pending] = (await CLAIM_DEAD.run(this.redis, keys, [
        this.procPrefix,
        SWEEP_BATCH,
        this.keyTtlMs,
      ])) as [number, number, number, number];
      // Users left by a sweeper that died mid-way are drained here too.
      let left = pending;
      while (left > 0) {
        if (this.closed) return;
        const [remaining, ...offline] = (await DRAIN_DYING.run(this.redis, keys, [
          this.procPrefix,
          USER_BATCH,
        ])) as [number, ...string[]];
        left = remaining;
        this.announce(this.expireListeners, offline);
      }
      if (taken < SWEEP_BATCH) {
        // Both times are on the Redis clock; the difference is a delay on any clock.
        if (nextEnd >= 0) this.scheduleSweep(Math.max(nextEnd - now, 0) + 1);
        return;
      }
    }
  }

  /** Also while closing: users taken from Redis are announced by the taker or by no one. */
  private announce(listeners: PresenceListener[], users: string[]): void {
    if (users.length === 0) return;
    for (const listener of [...listeners]) {
      try {
        listener([...users]);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('RedisPresenceState: closed.');
  }
}
