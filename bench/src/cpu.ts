import type { ChildProcess } from 'node:child_process';

/*
 * CPU time of the servers under test. Each server process carries the probe (cpu-probe.ts), which
 * answers `process.cpuUsage()` over the IPC channel; this is the asking side.
 */

/** CPU time a process has used since it started, in milliseconds. */
export interface CpuTime {
  userMs: number;
  systemMs: number;
}

export const CPU_QUESTION = 'bench:cpu-usage';

export interface CpuQuestion {
  question: typeof CPU_QUESTION;
  id: number;
}

export interface CpuAnswer {
  id: number;
  cpuUsage: NodeJS.CpuUsage;
}

/** Asks `child`'s probe for its CPU time; rejects when the process is gone or says nothing in 10 s. */
export function cpuProbe(child: ChildProcess, label: string): () => Promise<CpuTime> {
  const waiting = new Map<number, (answer: CpuAnswer) => void>();
  let nextId = 1;
  child.on('message', (message: CpuAnswer) => waiting.get(message?.id)?.(message));
  return () =>
    new Promise<CpuTime>((resolve, reject) => {
      if (!child.connected) {
        reject(new Error(`${label} is not running`));
        return;
      }
      const id = nextId++;
      const done = () => {
        clearTimeout(timer);
        child.off('exit', gone);
        waiting.delete(id);
      };
      const gone = () => {
        done();
        reject(new Error(`${label} exited before saying its CPU time`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${label} did not say its CPU time within 10 s`));
      }, 10_000);
      child.once('exit', gone);
      waiting.set(id, ({ cpuUsage }) => {
        done();
        resolve({ userMs: cpuUsage.user / 1000, systemMs: cpuUsage.system / 1000 });
      });
      child.send({ question: CPU_QUESTION, id } satisfies CpuQuestion);
    });
}

/** Total CPU milliseconds between two readings. */
export function cpuMsBetween(before: CpuTime, after: CpuTime): number {
  return after.userMs - before.userMs + (after.systemMs - before.systemMs);
}
