/**
 * Runs tasks one after another per room, so that a room's writes commit, and their events leave,
 * in one order. Rooms do not wait for each other.
 */
export class RoomQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(room: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(room) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(room, tail);
    void tail.then(() => {
      if (this.tails.get(room) === tail) this.tails.delete(room);
    });
    return result;
  }
}
