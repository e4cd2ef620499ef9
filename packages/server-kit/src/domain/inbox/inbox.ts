import type { InboxEvent, Since } from '@hirechat/protocol';
import type { ChatStorage } from '../../ports/chat-storage.js';
import { type Replay, replayFrom } from '../live/replay.js';
import type { MediaUrls } from '../media-urls.js';

/** A user's inbox log (contract, "The inbox"): replays for inbox sockets that resume. */
export class Inbox {
  constructor(
    private readonly storage: Pick<ChatStorage, 'inboxEventsAfter' | 'inboxSeq'>,
    private readonly media: MediaUrls,
  ) {}

  /** The user's inbox events after `since`, their Messages signed now; `latest`: their newest seq. */
  async replay(user: string, since: Since): Promise<Replay<InboxEvent>> {
    if (since === 'latest') return { resync: false, seq: await this.storage.inboxSeq(user), events: [] };
    const replay = replayFrom(since, await this.storage.inboxEventsAfter(user, since));
    if (replay.resync) return replay;
    return { ...replay, events: replay.events.map((event) => this.media.signEvent(event)) };
  }
}
