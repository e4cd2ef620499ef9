import type { UserDirectory } from '../ports/user-directory.js';
import type { Caller } from './caller.js';

/** How many users' last-written records are remembered before the memory starts over. */
const MAX_REMEMBERED = 10_000;

/**
 * Writes a user's record only when their claims differ from what this process last wrote, so that
 * a busy user's requests do not each cost a database write.
 */
export class UserMemory {
  private readonly written = new Map<string, string>();

  constructor(private readonly directory: UserDirectory) {}

  async remember(caller: Caller): Promise<void> {
    const record = { id: caller.id, email: caller.email, name: caller.name, role: caller.role };
    const fingerprint = JSON.stringify(record);
    if (this.written.get(caller.id) === fingerprint) return;
    await this.directory.remember(record);
    if (this.written.size >= MAX_REMEMBERED) this.written.clear();
    this.written.set(caller.id, fingerprint);
  }

  idsByEmail(email: string): Promise<string[]> {
    return this.directory.idsByEmail(email);
  }
}
