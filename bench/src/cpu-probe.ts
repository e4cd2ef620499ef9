import { CPU_QUESTION, type CpuAnswer, type CpuQuestion } from './cpu.js';

/*
 * Loaded into every server under test before its own code (`node --import`, see servers.ts): answers
 * the bench's question over the IPC channel with the CPU time the process has used so far, as
 * `process.cpuUsage()` counts it (user and system, every thread, microseconds). hirechat, the floor
 * and the references all carry the same probe, so their figures compare like with like; between
 * questions it does nothing.
 */

if (process.send) {
  process.on('message', (message: CpuQuestion) => {
    if (message?.question !== CPU_QUESTION) return;
    process.send?.({ id: message.id, cpuUsage: process.cpuUsage() } satisfies CpuAnswer);
  });
  // Listening keeps the channel referenced; the server's own handles decide when it exits.
  process.channel?.unref();
}
