import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../ports/logger.js';
import type { LimiterStore } from './limiter-store.js';

/** One open socket's place in its user's count; given back once, when the socket goes. */
export interface SocketLease {
  readonly user: string;
  /** Gives the place back. Safe to call more than once. */
  release(): void;
}

interface Held {
  user: string;
  /** The lease period whose count holds this socket; null while it is counted nowhere. */
  period: number | null;
  released: boolean;
}

/** The answer to a socket over its user's limit. */
export class TooManySockets extends Error {
  override readonly name = 'TooManySockets';
}

/**
 * Open sockets per user, room and inbox sockets together, in rate-limiter-flexible limiters: a
 * socket consumes a point when it opens and is rewarded when it closes.
 *
 * Over Redis a count must not outlive the process that made it: a process that dies never gives
 * its sockets back. So time is cut into lease periods (`leaseSeconds`, on the wall clock, the same
 * for every process), each with a count of its own (key `<user>:<period>`, which expires after
 * two periods), and only the current period's count decides. At the start of each period every
 * process counts its open sockets in it again; a dead process does not, so its sockets stop
 * counting within one period. Within the first moments of a period, before every process has
 * renewed, the count is low by the sockets not yet renewed: a user may then open a few more.
 */
export class SocketCount {
  private readonly limiter: RateLimiterAbstract;
  private readonly held = new Map<string, Set<Held>>();
  private readonly periodMs: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    store: LimiterStore,
    private readonly max: number,
    leaseSeconds: number,
    private readonly logger: Logger,
  ) {
    this.periodMs = leaseSeconds * 1000;
    this.limiter = store.limiter({ name: 'sockets', points: max, seconds: 2 * leaseSeconds });
    this.scheduleRenewal();
  }

  /**
   * Counts a socket of the user that is about to open.
   *
   * @throws TooManySockets when the user holds `max` open sockets already.
   */
  async acquire(user: string): Promise<SocketLease> {
    const period = this.period();
    const held: Held = { user, period, released: false };
    // Held before the count is asked, so that a renewal meanwhile counts it in the new period.
    const mine = this.held.get(user) ?? new Set<Held>();
    mine.add(held);
    this.held.set(user, mine);
    try {
      await this.limiter.consume(this.key(user, period));
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        // A refused consume is counted all the same: give it back with the rest.
        this.release(held);
        throw new TooManySockets(`You have ${this.max} open sockets already; close one first.`);
      }
      // The store and its insurance both failed: let the socket in, counted from the next period on.
      this.logger.warn({ err: error, user }, 'socket not counted');
      if (held.period === period) held.period = null;
    }
    return { user, release: () => this.release(held) };
  }

  /** Stops renewing; the counts of this process's sockets lapse with their period. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  /**
   * Forgets the socket, and gives back its place in the count of the period that holds it, when
   * that is the current one: a past period's count decides nothing any more. (A refused socket
   * gives back the point its refusal was counted with the same way.)
   */
  private release(held: Held): void {
    if (held.released) return;
    held.released = true;
    const mine = this.held.get(held.user);
    mine?.delete(held);
    if (mine?.size === 0) this.held.delete(held.user);
    if (held.period === null || held.period !== this.period()) return;
    this.limiter.reward(this.key(held.user, held.period)).catch((err: unknown) => {
      this.logger.warn({ err, user: held.user }, 'socket count not given back');
    });
  }

  /** Counts every open socket of this process in the period that just began. */
  private async renew(): Promise<void> {
    const period = this.period();
    const renewals: Promise<unknown>[] = [];
    for (const [user, mine] of this.held) {
      let sockets = 0;
      for (const held of mine) {
        if (held.period === period) continue;
        held.period = period;
        sockets++;
      }
      if (sockets === 0) continue;
      renewals.push(
        this.limiter.consume(this.key(user, period), sockets).catch((error: unknown) => {
          // Over the limit is fine: these sockets are open already, and only new ones are refused.
          if (error instanceof RateLimiterRes) return;
          this.logger.warn({ err: error, user }, 'socket count not renewed');
        }),
      );
    }
    await Promise.all(renewals);
  }

  private scheduleRenewal(): void {
    if (this.closed) return;
    const now = Date.now();
    // Just past the start of the next period, so that period() already answers the new one.
    const wait = this.periodMs - (now % this.periodMs) + 5;
    this.timer = setTimeout(() => {
      void this.renew().finally(() => this.scheduleRenewal());
    }, wait);
    this.timer.unref();
  }

  private period(): number {
    return Math.floor(Date.now() / this.periodMs);
  }

  private key(user: string, period: number): string {
    return `${user}:${period}`;
  }
}
