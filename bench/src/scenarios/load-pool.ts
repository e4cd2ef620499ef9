import type { ConnectResult, SubscriberStats } from '../../load/subscriber.js';
import type { WriterResult } from '../../load/writer.js';
import { nowMs, pollUntil, sleep } from '../clock.js';
import { Histogram } from '../histogram.js';
import { forkWorker, type Worker } from '../rpc.js';
import type { SocketSpec, WriterTarget } from '../wire.js';

/** Steps are numbered across the whole run, so that a late event is never counted in a later step. */
let lastStep = 0;
export const nextStep = () => ++lastStep;

export interface ConnectSummary {
  requested: number;
  opened: number;
  failed: number;
  firstError: string | null;
  /** From the first handshake started to the last one finished, over every process. */
  seconds: number;
}

export interface Collected {
  received: number;
  socketsWithEvent: number;
  socketsOpen: number;
  closedByServer: number;
  /** Those closes by code, e.g. `{ "1013": 9 }`. */
  closeCodes: Record<string, number>;
  latency: Histogram;
  lastAtMs: number | null;
}

/**
 * The load generator of a scenario: subscriber processes holding the sockets (spread round robin)
 * and one writer process. The orchestrator only steers; it sends and receives nothing itself.
 */
export class LoadPool {
  private constructor(
    readonly subscribers: Worker[],
    readonly writer: Worker,
  ) {}

  static async start(subscribers: number): Promise<LoadPool> {
    const pool = new LoadPool(
      Array.from({ length: Math.max(1, subscribers) }, () => forkWorker('subscriber')),
      forkWorker('writer'),
    );
    // The first command answers once tsx has loaded the process.
    await Promise.all(
      [...pool.subscribers, pool.writer].map((worker) => worker.call('ping', undefined, 60_000)),
    );
    return pool;
  }

  get processes(): number {
    return this.subscribers.length + 1;
  }

  async connect(
    sockets: SocketSpec[],
    concurrencyPerProcess: number,
    timeoutMs: number,
  ): Promise<ConnectSummary> {
    const parts = this.subscribers.map(() => [] as SocketSpec[]);
    sockets.forEach((socket, index) => {
      parts[index % parts.length]!.push(socket);
    });
    const results = await Promise.all(
      this.subscribers.map((worker, index) =>
        worker.call<ConnectResult>(
          'connect',
          { sockets: parts[index], concurrency: concurrencyPerProcess, timeoutMs },
          timeoutMs + 30_000,
        ),
      ),
    );
    const started = Math.min(...results.map((result) => result.startedAtMs));
    const ended = Math.max(...results.map((result) => result.endedAtMs));
    return {
      requested: sockets.length,
      opened: results.reduce((sum, result) => sum + result.opened, 0),
      failed: results.reduce((sum, result) => sum + result.failed, 0),
      firstError: results.find((result) => result.firstError)?.firstError ?? null,
      seconds: (ended - started) / 1000,
    };
  }

  async reset(step: number): Promise<void> {
    await Promise.all(this.subscribers.map((worker) => worker.call('reset', { step })));
  }

  async received(): Promise<number> {
    const counts = await Promise.all(this.subscribers.map((worker) => worker.call<number>('received')));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async collect(): Promise<Collected> {
    const stats = await Promise.all(this.subscribers.map((worker) => worker.call<SubscriberStats>('stats')));
    const lastAts = stats.flatMap((part) => (part.lastAtMs === null ? [] : [part.lastAtMs]));
    return {
      received: stats.reduce((sum, part) => sum + part.received, 0),
      socketsWithEvent: stats.reduce((sum, part) => sum + part.socketsWithEvent, 0),
      socketsOpen: stats.reduce((sum, part) => sum + part.socketsOpen, 0),
      closedByServer: stats.reduce((sum, part) => sum + part.closedByServer, 0),
      closeCodes: stats.reduce<Record<string, number>>((all, part) => {
        for (const [code, count] of Object.entries(part.closeCodes)) all[code] = (all[code] ?? 0) + count;
        return all;
      }, {}),
      latency: Histogram.from(...stats.map((part) => part.latency)),
      lastAtMs: lastAts.length ? Math.max(...lastAts) : null,
    };
  }

  /** Waits until `expected` events of the step are in, for at most `timeoutMs`. */
  async drain(expected: number, timeoutMs: number): Promise<void> {
    let count = 0;
    await pollUntil(async () => {
      count = await this.received();
      return count >= expected;
    }, timeoutMs);
  }

  /** Waits until no event has come in for `quietMs` (a server working off a backlog), bounded. */
  async settle(quietMs = 250, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.received();
    let quietSince = nowMs();
    while (Date.now() < deadline && nowMs() - quietSince < quietMs) {
      await sleep(50);
      const count = await this.received();
      if (count !== last) {
        last = count;
        quietSince = nowMs();
      }
    }
  }

  async setupWriter(target: WriterTarget): Promise<void> {
    await this.writer.call('setup', target, 60_000);
  }

  async write(
    step: number,
    rate: number,
    durationMs: number,
    answerTimeoutMs = 10_000,
  ): Promise<WriterResult> {
    return this.writer.call<WriterResult>(
      'run',
      { step, rate, durationMs, maxInFlight: Math.max(64, Math.ceil(rate * 2)), answerTimeoutMs },
      durationMs + answerTimeoutMs + 30_000,
    );
  }

  async release(): Promise<void> {
    await this.writer.call('teardown');
    await Promise.all(this.subscribers.map((worker) => worker.call('closeAll', undefined, 60_000)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.subscribers, this.writer].map((worker) => worker.stop()));
  }
}
