import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RoomQueue } from '../../src/domain/room-queue.js';

/** A promise and the function that settles it, so that a test decides when a task finishes. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('RoomQueue', () => {
  it('runs the tasks of a room one at a time, in the order given, each with its own result', async () => {
    const queue = new RoomQueue();
    const log: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const task = (name: string, turns: number) => async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      log.push(`start ${name}`);
      // The slow ones take several turns of the event loop, so that a later quick one could overtake.
      for (let i = 0; i < turns; i++) await nextTurn();
      log.push(`end ${name}`);
      running--;
      return name;
    };

    const results = await Promise.all([
      queue.run('room', task('a', 5)),
      queue.run('room', task('b', 0)),
      queue.run('room', task('c', 3)),
      queue.run('room', task('d', 0)),
    ]);

    expect(results).toEqual(['a', 'b', 'c', 'd']);
    expect(mostAtOnce).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c', 'start d', 'end d']);
  });

  it('does not start a task before the previous one of its room has settled', async () => {
    const queue = new RoomQueue();
    const first = gate();
    const started: string[] = [];

    const one = queue.run('room', async () => {
      started.push('one');
      await first.opened;
    });
    const two = queue.run('room', async () => {
      started.push('two');
    });
    await nextTurn();
    expect(started).toEqual(['one']);

    first.open();
    await Promise.all([one, two]);
    expect(started).toEqual(['one', 'two']);
  });

  it('lets rooms run side by side', { timeout: 2_000 }, async () => {
    const queue = new RoomQueue();
    const blocker = gate();
    const log: string[] = [];

    const slow = queue.run('room-a', async () => {
      log.push('a started');
      await blocker.opened;
      log.push('a done');
    });
    // Room B finishes while room A is still held: if rooms waited on each other, this would hang.
    await queue.run('room-b', async () => {
      log.push('b done');
    });
    expect(log).toEqual(['a started', 'b done']);

    blocker.open();
    await slow;
    expect(log).toEqual(['a started', 'b done', 'a done']);
  });

  it('runs the next task after one that rejected or threw, and gives each caller its own outcome', async () => {
    const queue = new RoomQueue();
    const failure = new Error('task failed');

    const rejected = queue.run('room', async () => {
      throw failure;
    });
    const threw = queue.run('room', () => {
      throw new Error('thrown before any promise');
    });
    const next = queue.run('room', async () => 'next ran');

    await expect(rejected).rejects.toBe(failure);
    await expect(threw).rejects.toThrow('thrown before any promise');
    await expect(next).resolves.toBe('next ran');
  });

  it('forgets a room once its tasks are done', async () => {
    const queue = new RoomQueue();
    const tails = (queue as unknown as { tails: Map<string, unknown> }).tails;

    await queue.run('room', async () => 'done');
    await queue
      .run('other', async () => {
        throw new Error('failed');
      })
      .catch(() => undefined);
    // The bookkeeping happens a turn after the task settles.
    await nextTurn();

    expect(tails.size).toBe(0);
    await expect(queue.run('room', async () => 'again')).resolves.toBe('again');
  });
});
