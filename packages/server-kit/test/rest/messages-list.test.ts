import { randomUUID } from 'node:crypto';
import {
  MESSAGE_LIST_DEFAULT_LIMIT,
  MESSAGE_LIST_MAX_LIMIT,
  type Message,
  RestPaths,
} from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  bare,
  createRoom,
  expectDetail,
  expectFieldErrors,
  expectMessages,
  newUser,
  nextLink,
  sendText,
  type User,
  useTestServer,
} from './http.js';

const LIST = RestPaths.listMessages;
const uuids = (messages: Message[]) => messages.map((message) => message.uuid);

/** Follows `rel="next"` from the first page to the last; answers every page. */
async function allPages(user: User, first: string): Promise<Message[][]> {
  const pages: Message[][] = [];
  let path: string | null = first;
  while (path !== null) {
    expect(pages.length, 'pages followed').toBeLessThan(100);
    const answer = await user.api.get(path);
    pages.push(expectMessages(answer));
    path = nextLink(answer);
  }
  return pages;
}

describe('GET /chats/messages/list/', () => {
  const t = useTestServer();
  let recruiter: User;
  let ann: User;
  let bob: User;
  let outsider: User;
  /** ann and bob with the recruiter: 7 messages, oldest first. */
  let shared: string;
  let sharedMessages: Message[];
  /** The recruiter and ann alone: 2 messages. */
  let annRoom: string;
  let annRoomMessages: Message[];
  /** A room of strangers: the test users must never see its messages. */
  let strangersMessage: Message;

  beforeAll(async () => {
    recruiter = newUser(t, { role: 'recruiter' });
    ann = newUser(t, { email: 'Ann.Smith@Example.com' });
    bob = newUser(t);
    outsider = newUser(t);
    shared = (await createRoom(recruiter, recruiter, [ann, bob])).uuid;
    annRoom = (await createRoom(recruiter, recruiter, [ann])).uuid;
    sharedMessages = [];
    annRoomMessages = [];
    // Written one after another, so that their order is the order of the writes.
    sharedMessages.push(await sendText(recruiter, shared, 'm1'));
    sharedMessages.push(await sendText(ann, shared, 'm2'));
    annRoomMessages.push(await sendText(ann, annRoom, 'a1'));
    sharedMessages.push(await sendText(bob, shared, 'm3'));
    sharedMessages.push(await sendText(ann, shared, 'm4'));
    sharedMessages.push(await sendText(recruiter, shared, 'm5'));
    annRoomMessages.push(await sendText(recruiter, annRoom, 'a2'));
    sharedMessages.push(await sendText(bob, shared, 'm6'));
    sharedMessages.push(await sendText(ann, shared, 'm7'));
    const stranger = newUser(t);
    const strangersRoom = await createRoom(stranger, stranger, [newUser(t)]);
    strangersMessage = await sendText(stranger, strangersRoom, 'not for you');
  });

  it("answers only the messages of the caller's rooms, oldest first", async () => {
    const answer = await ann.api.get(LIST);
    const messages = expectMessages(answer);

    const everything = [...sharedMessages, ...annRoomMessages].sort((a, b) =>
      a.timestamp.localeCompare(b.timestamp),
    );
    expect(uuids(messages)).toEqual(uuids(everything));
    expect(uuids(messages)).not.toContain(strangersMessage.uuid);
    expect(nextLink(answer)).toBeNull();

    // bob is not in ann's room.
    expect(uuids(expectMessages(await bob.api.get(LIST)))).toEqual(uuids(sharedMessages));
    expect(expectMessages(await outsider.api.get(LIST))).toEqual([]);
  });

  it('answers the same without the trailing slash', async () => {
    expect(expectMessages(await ann.api.get(bare(LIST)))).toEqual(expectMessages(await ann.api.get(LIST)));
    expect(expectMessages(await ann.api.get(`${bare(LIST)}?chat_room=${annRoom}`))).toEqual(annRoomMessages);
  });

  describe('filters', () => {
    it('chat_room', async () => {
      expect(expectMessages(await ann.api.get(`${LIST}?chat_room=${shared}`))).toEqual(sharedMessages);
      expect(expectMessages(await ann.api.get(`${LIST}?chat_room=${annRoom.toUpperCase()}`))).toEqual(
        annRoomMessages,
      );
      // A room the caller is not in lists nothing, like a room that does not exist.
      expect(expectMessages(await bob.api.get(`${LIST}?chat_room=${annRoom}`))).toEqual([]);
      expect(expectMessages(await ann.api.get(`${LIST}?chat_room=${randomUUID()}`))).toEqual([]);
    });

    it('sender', async () => {
      const byBob = sharedMessages.filter((message) => message.sender === bob.id);
      expect(byBob.length).toBe(2);
      expect(expectMessages(await ann.api.get(`${LIST}?sender=${bob.id}`))).toEqual(byBob);
      const byRecruiterInAnnRoom = annRoomMessages.filter((m) => m.sender === recruiter.id);
      expect(
        expectMessages(await ann.api.get(`${LIST}?sender=${recruiter.id}&chat_room=${annRoom}`)),
      ).toEqual(byRecruiterInAnnRoom);
      expect(expectMessages(await ann.api.get(`${LIST}?sender=${randomUUID()}`))).toEqual([]);
    });

    it("sender_email, case-insensitive, from the token's email claim", async () => {
      const byAnn = [...sharedMessages, ...annRoomMessages]
        .filter((message) => message.sender === ann.id)
        .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      expect(byAnn.length).toBe(4);

      for (const email of ['Ann.Smith@Example.com', 'ann.smith@example.com', 'ANN.SMITH@EXAMPLE.COM']) {
        const query = new URLSearchParams({ sender_email: email });
        expect(expectMessages(await bob.api.get(`${LIST}?${query}`))).toEqual(
          byAnn.filter((m) => m.chat_room === shared),
        );
        expect(expectMessages(await recruiter.api.get(`${LIST}?${query}`))).toEqual(byAnn);
      }
      const both = new URLSearchParams({ sender_email: 'ann.smith@example.com', chat_room: annRoom });
      expect(expectMessages(await recruiter.api.get(`${LIST}?${both}`))).toEqual(
        byAnn.filter((m) => m.chat_room === annRoom),
      );
      // With sender too, both must hold.
      const mismatch = new URLSearchParams({ sender_email: 'ann.smith@example.com', sender: bob.id });
      expect(expectMessages(await recruiter.api.get(`${LIST}?${mismatch}`))).toEqual([]);
      expect(expectMessages(await recruiter.api.get(`${LIST}?sender_email=nobody%40example.com`))).toEqual(
        [],
      );
    });

    it('refuses a filter that is not well formed, naming it', async () => {
      expectFieldErrors(await ann.api.get(`${LIST}?chat_room=lobby`), ['chat_room']);
      expectFieldErrors(await ann.api.get(`${LIST}?sender=42`), ['sender']);
      expectFieldErrors(await ann.api.get(`${LIST}?sender_email=not-an-email`), ['sender_email']);
    });

    it('refuses an unknown query parameter, naming it', async () => {
      const body = expectFieldErrors(await ann.api.get(`${LIST}?chatroom=${shared}`), ['chatroom']);
      expect(body.chatroom).toEqual(['Unknown field.']);
      expectFieldErrors(await ann.api.get(`${LIST}?page=2`), ['page']);
    });
  });

  describe('limit', () => {
    it('answers the newest `limit`, oldest first within the page', async () => {
      const answer = await ann.api.get(`${LIST}?chat_room=${shared}&limit=3`);
      expect(expectMessages(answer)).toEqual(sharedMessages.slice(-3));
      expect(nextLink(answer)).not.toBeNull();
    });

    it(`accepts 1 to ${MESSAGE_LIST_MAX_LIMIT}`, async () => {
      expect(expectMessages(await ann.api.get(`${LIST}?chat_room=${shared}&limit=1`))).toEqual(
        sharedMessages.slice(-1),
      );
      expect(
        expectMessages(await ann.api.get(`${LIST}?chat_room=${shared}&limit=${MESSAGE_LIST_MAX_LIMIT}`)),
      ).toEqual(sharedMessages);
    });

    it(`refuses ${MESSAGE_LIST_MAX_LIMIT + 1}, 0, -1, 1.5 and words, naming limit`, async () => {
      for (const limit of [String(MESSAGE_LIST_MAX_LIMIT + 1), '0', '-1', '1.5', 'ten', '']) {
        const body = expectFieldErrors(await ann.api.get(`${LIST}?limit=${limit}`), ['limit']);
        expect(Object.keys(body)).toEqual(['limit']);
      }
    });
  });

  describe('cursors', () => {
    it('Link rel="next" names the older page, and following it pages through everything once', async () => {
      const first = await ann.api.get(`${LIST}?chat_room=${shared}&limit=3`);
      const link = nextLink(first);
      expect(link).not.toBeNull();
      const target = new URL(link!, t.url);
      expect(target.origin).toBe(t.url);
      expect(target.pathname).toBe(LIST);
      expect(target.searchParams.get('chat_room')).toBe(shared);
      expect(target.searchParams.get('limit')).toBe('3');
      expect(target.searchParams.get('before')).toBe(sharedMessages[4]!.uuid);

      const pages = await allPages(ann, `${LIST}?chat_room=${shared}&limit=3`);

      expect(pages.map((page) => page.map((m) => m.content))).toEqual([
        ['m5', 'm6', 'm7'],
        ['m2', 'm3', 'm4'],
        ['m1'],
      ]);
      const seen = pages.reverse().flat();
      expect(uuids(seen)).toEqual(uuids(sharedMessages));
      expect(new Set(uuids(seen)).size).toBe(seen.length);
    });

    it('pages through everything with no duplicates or gaps at every page size', async () => {
      const everything = expectMessages(await ann.api.get(LIST));
      for (let limit = 1; limit <= everything.length + 1; limit++) {
        const pages = await allPages(ann, `${LIST}?limit=${limit}`);
        expect(pages.length).toBe(Math.max(1, Math.ceil(everything.length / limit)));
        for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit);
        expect(uuids(pages.reverse().flat())).toEqual(uuids(everything));
      }
    });

    it('keeps the filters in the Link', async () => {
      const pages = await allPages(ann, `${LIST}?sender=${ann.id}&limit=1`);
      expect(pages.flat().every((message) => message.sender === ann.id)).toBe(true);
      expect(pages.length).toBe(4);
    });

    it('`before` answers the messages older than the cursor', async () => {
      const cursor = sharedMessages[3]!;
      const answer = await ann.api.get(`${LIST}?chat_room=${shared}&before=${cursor.uuid}&limit=2`);
      expect(expectMessages(answer)).toEqual(sharedMessages.slice(1, 3));
      expect(new URL(nextLink(answer)!, t.url).searchParams.get('before')).toBe(sharedMessages[1]!.uuid);
    });

    it('`after` answers the messages newer than the cursor, and its Link names the newer page', async () => {
      const cursor = sharedMessages[1]!;
      const first = await ann.api.get(`${LIST}?chat_room=${shared}&after=${cursor.uuid}&limit=3`);
      expect(expectMessages(first)).toEqual(sharedMessages.slice(2, 5));
      const link = nextLink(first);
      expect(link).not.toBeNull();
      const target = new URL(link!, t.url);
      expect(target.searchParams.get('after')).toBe(sharedMessages[4]!.uuid);
      expect(target.searchParams.has('before')).toBe(false);

      const second = await ann.api.get(link!);
      expect(expectMessages(second)).toEqual(sharedMessages.slice(5));
      expect(nextLink(second)).toBeNull();

      const newest = sharedMessages.at(-1)!;
      const none = await ann.api.get(`${LIST}?chat_room=${shared}&after=${newest.uuid}`);
      expect(expectMessages(none)).toEqual([]);
      expect(nextLink(none)).toBeNull();
    });

    it('refuses both cursors at once (400)', async () => {
      const answer = await ann.api.get(
        `${LIST}?before=${sharedMessages[5]!.uuid}&after=${sharedMessages[1]!.uuid}`,
      );
      const body = expectFieldErrors(answer, []);
      const named = Object.keys(body);
      expect(named.length).toBeGreaterThan(0);
      expect(named.every((field) => field === 'before' || field === 'after')).toBe(true);
    });

    describe('after the cursor message is deleted (issue 9, fault 4)', () => {
      /** A room of its own with six messages m0..m5, so that deleting some disturbs no other test. */
      async function roomOfSix() {
        const [u, v] = [newUser(t), newUser(t)];
        const room = (await createRoom(u, u, [v])).uuid;
        const sent: Message[] = [];
        for (let i = 0; i < 6; i++) sent.push(await sendText(u, room, `m${i}`));
        return { u, v, room, sent };
      }

      it('a Link going back in time still leads to the next older page', async () => {
        const { u, v, room, sent } = await roomOfSix();
        const first = await v.api.get(`${LIST}?chat_room=${room}&limit=2`);
        expect(expectMessages(first)).toEqual(sent.slice(4));
        // The page's cursor is its oldest message, m4; its sender deletes it.
        expect((await u.api.delete(RestPaths.messageDetail(sent[4]!.uuid))).status).toBe(204);

        const second = await v.api.get(nextLink(first)!);

        expect(expectMessages(second)).toEqual(sent.slice(2, 4));
        expect(uuids(expectMessages(await v.api.get(nextLink(second)!)))).toEqual(uuids(sent.slice(0, 2)));
      });

      it('a Link going forward still leads to the next newer page', async () => {
        const { u, v, room, sent } = await roomOfSix();
        const first = await v.api.get(`${LIST}?chat_room=${room}&after=${sent[0]!.uuid}&limit=2`);
        expect(expectMessages(first)).toEqual(sent.slice(1, 3));
        expect((await u.api.delete(RestPaths.messageDetail(sent[2]!.uuid))).status).toBe(204);

        expect(expectMessages(await v.api.get(nextLink(first)!))).toEqual(sent.slice(3, 5));
      });

      it('its UUID keeps working as a cursor, also when the cursor given was deleted before paging began', async () => {
        const { u, v, room, sent } = await roomOfSix();
        for (const gone of [sent[1]!, sent[3]!]) {
          expect((await u.api.delete(RestPaths.messageDetail(gone.uuid))).status).toBe(204);
        }
        const kept = [sent[0]!, sent[2]!, sent[4]!, sent[5]!];

        expect(expectMessages(await v.api.get(`${LIST}?chat_room=${room}&before=${sent[3]!.uuid}`))).toEqual(
          kept.slice(0, 2),
        );
        expect(expectMessages(await v.api.get(`${LIST}?chat_room=${room}&after=${sent[1]!.uuid}`))).toEqual(
          kept.slice(1),
        );
        // Not to someone outside its room: to them it never existed.
        const outsider = newUser(t);
        const answer = await outsider.api.get(`${LIST}?before=${sent[3]!.uuid}`);
        expect(expectFieldErrors(answer, ['before'])).toEqual({ before: ['No such message.'] });
      });
    });

    it('refuses an unknown cursor, naming it', async () => {
      expect(
        expectFieldErrors(await ann.api.get(`${LIST}?before=${randomUUID()}`), ['before']).before?.length,
      ).toBeGreaterThan(0);
      expectFieldErrors(await ann.api.get(`${LIST}?after=${randomUUID()}`), ['after']);
      expectFieldErrors(await ann.api.get(`${LIST}?before=yesterday`), ['before']);
      expectFieldErrors(await ann.api.get(`${LIST}?after=`), ['after']);
    });
  });

  it(`answers ${MESSAGE_LIST_DEFAULT_LIMIT} messages by default, the newest`, async () => {
    const u = newUser(t);
    const v = newUser(t);
    const room = (await createRoom(u, u, [v])).uuid;
    const sent: Message[] = [];
    for (let i = 0; i < MESSAGE_LIST_DEFAULT_LIMIT + 5; i++)
      sent.push(await sendText(i % 2 ? u : v, room, `n${i}`));

    const answer = await u.api.get(LIST);

    expect(expectMessages(answer)).toEqual(sent.slice(-MESSAGE_LIST_DEFAULT_LIMIT));
    const link = new URL(nextLink(answer)!, t.url);
    expect(link.searchParams.get('before')).toBe(sent[5]!.uuid);
    const rest = await u.api.get(`${link.pathname}${link.search}`);
    expect(expectMessages(rest)).toEqual(sent.slice(0, 5));
    expect(nextLink(rest)).toBeNull();
  });

  it('refuses an anonymous caller (401)', async () => {
    expectDetail(await api(t).get(LIST), 401);
  });
});
