import { readFileSync } from 'node:fs';

/**
 * This process's open-file limits (children inherit them), from /proc on Linux. Null elsewhere or
 * when unreadable: the bench then trusts the npm script's `ulimit -n`.
 */
export function openFileLimit(): { soft: number; hard: number } | null {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
    if (!match) return null;
    const value = (text: string | undefined) =>
      text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
    return { soft: value(match[1]), hard: value(match[2]) };
  } catch {
    return null;
  }
}

/**
 * Descriptors a server needs besides its subscribers' sockets: stdio, the listener, epoll, the
 * database and its WAL (64), and the writer's connections (its REST agent keeps up to 64).
 */
export const SERVER_FD_RESERVE = 128;
