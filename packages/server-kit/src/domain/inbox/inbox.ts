import type { InboxEvent, Since } from '@hirechat/protocol';
import type { ChatStorage } from '../../ports/chat-storage.js';
import { type Replay, replayFrom } from '../live/replay.js';

/** A user's inbox log (contract, "The inbox"): replays for inbox sockets that resume. */
export class Inbox {
  constructor(private readonly storage: Pick<ChatStorage, 'inboxEventsAfter' | 'inboxSeq'>) {}

  /** The user's inbox events after `since`; `latest` asks only for their newest seq. */
  async replay(user: string, since: Since): Promise<Replay<InboxEvent>> {
    if (since === 'latest') return { resync: false, seq: await this.storage.inboxSeq(user), events: [] };
    return replayFrom(since, await this.storage.inboxEventsAfter(user, since));
  }
}
