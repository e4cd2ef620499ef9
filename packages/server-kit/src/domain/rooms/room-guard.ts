import type { ChatStorage } from '../../ports/chat-storage.js';
import type { Caller } from '../caller.js';
import { ChatError } from '../chat-error.js';
import type { MessageRecord } from '../records.js';

/**
 * Who may see what, checked against storage on every call: rooms change, so no answer is kept. A
 * room or message outside the caller's rooms is a 404 whether or not it exists, so that outsiders
 * learn nothing (contract, "REST").
 */
export class RoomGuard {
  constructor(private readonly storage: Pick<ChatStorage, 'isParticipant' | 'getMessage'>) {}

  /** Passes when the caller is in the room; 404 otherwise. */
  async requireParticipant(caller: Caller, room: string): Promise<void> {
    if (!(await this.storage.isParticipant(room, caller.id))) throw ChatError.notFound('No such chat room.');
  }

  /** The message, when it is in one of the caller's rooms; 404 otherwise. */
  async requireVisibleMessage(caller: Caller, uuid: string): Promise<MessageRecord> {
    const record = await this.storage.getMessage(uuid);
    if (!record || !(await this.storage.isParticipant(record.chatRoom, caller.id)))
      throw ChatError.notFound();
    return record;
  }

  /** The caller's own message; 403 for a message of someone else in their rooms. */
  async requireOwnMessage(caller: Caller, uuid: string): Promise<MessageRecord> {
    const record = await this.requireVisibleMessage(caller, uuid);
    if (record.sender !== caller.id) {
      throw ChatError.of('forbidden', 'Only the sender can change or delete a message.');
    }
    return record;
  }
}
