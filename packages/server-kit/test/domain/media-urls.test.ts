import { randomBytes } from 'node:crypto';
import type { ChatRoom, Message } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { MediaUrls } from '../../src/domain/media-urls.js';

/*
 * The signer on its own, with its clock set by each test: what a URL looks like, how long it
 * lives, and that nothing but the exact URL it made passes. The real downloads are in
 * test/rest/signed-media.test.ts.
 */

const FILE = '/media/chat_files/photo_QTbo98H.png';
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function signer(options: { ttlSeconds?: number; secret?: Uint8Array } = {}) {
  const clock = { ms: T0 };
  const urls = new MediaUrls({
    secret: options.secret ?? randomBytes(32),
    ...(options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds }),
    now: () => clock.ms,
  });
  return { urls, clock };
}

/** The query of a signed URL, as a server parses it. */
function queryOf(url: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URL(url, 'http://x').searchParams) {
    const known = query[key];
    query[key] = known === undefined ? value : [...[known].flat(), value];
  }
  return query;
}

function withQuery(url: string, change: (params: URLSearchParams) => void): Record<string, unknown> {
  const params = new URL(url, 'http://x').searchParams;
  change(params);
  return queryOf(`${FILE}?${params}`);
}

const message = (fields: Partial<Message> = {}): Message => ({
  uuid: 'df34d961-22a0-46d4-8ed1-0fe8d1c35284',
  sender: '7e567d18-468b-4563-833f-b3ea48639284',
  chat_room: '6eface74-d674-4f7b-b6ce-f96ea9c091d7',
  file: FILE,
  file_url: null,
  job: null,
  content: null,
  timestamp: '2024-11-18T09:04:16.376929+00:00',
  is_edited: false,
  is_viewed: false,
  read_by: [],
  ...fields,
});

describe('MediaUrls', () => {
  it('signs the path with an expiry and a base64url HMAC in its query', () => {
    const { urls } = signer();
    const url = urls.urlFor(FILE);
    expect(url).toMatch(/^\/media\/chat_files\/photo_QTbo98H\.png\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/);
    expect(urls.verify(FILE, queryOf(url))).not.toBeNull();
  });

  it('keeps a URL valid for at least the lifetime and at most a quarter more', () => {
    const { urls, clock } = signer({ ttlSeconds: 3600 });
    for (const offsetMs of [0, 1, 999, 450_000, 899_999, 900_000, 1_234_567]) {
      clock.ms = T0 + offsetMs;
      const signedAt = clock.ms;
      const url = urls.urlFor(FILE);
      const expiresMs = Number(new URL(url, 'http://x').searchParams.get('expires')) * 1000;
      expect(expiresMs - signedAt).toBeGreaterThanOrEqual(3600 * 1000);
      expect(expiresMs - signedAt).toBeLessThan(4500 * 1000);

      clock.ms = signedAt + 3600 * 1000;
      expect(urls.verify(FILE, queryOf(url)), `signed at +${offsetMs} ms, checked an hour later`).toBe(
        Math.floor((expiresMs - clock.ms) / 1000),
      );
      clock.ms = expiresMs + 1;
      expect(urls.verify(FILE, queryOf(url))).toBeNull();
    }
  });

  it('gives every send of a file within one quarter of the lifetime the same URL', () => {
    const { urls, clock } = signer({ ttlSeconds: 3600 });
    clock.ms = Date.UTC(2025, 0, 1, 12, 0, 0, 1);
    const first = urls.urlFor(FILE);
    clock.ms = Date.UTC(2025, 0, 1, 12, 14, 59, 999);
    expect(urls.urlFor(FILE)).toBe(first);
    clock.ms = Date.UTC(2025, 0, 1, 12, 15, 0, 1);
    expect(urls.urlFor(FILE)).not.toBe(first);
    // Another signer with the same secret (another process) makes the very same URL.
    const secret = randomBytes(32);
    const a = signer({ secret });
    const b = signer({ secret });
    expect(a.urls.urlFor(FILE)).toBe(b.urls.urlFor(FILE));
  });

  it('refuses a URL whose path, signature or expiry was changed, or that another key signed', () => {
    const { urls } = signer();
    const url = urls.urlFor(FILE);
    const expires = Number(new URL(url, 'http://x').searchParams.get('expires'));
    const signature = new URL(url, 'http://x').searchParams.get('signature')!;
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);

    expect(urls.verify('/media/chat_files/other_QTbo98H.png', queryOf(url))).toBeNull();
    expect(urls.verify(`${FILE}x`, queryOf(url))).toBeNull();
    for (const query of [
      withQuery(url, (p) => p.set('signature', flipped)),
      withQuery(url, (p) => p.set('signature', `${signature}A`)),
      withQuery(url, (p) => p.set('signature', signature.slice(0, -1))),
      withQuery(url, (p) => p.set('signature', Buffer.from(signature, 'base64url').toString('base64'))),
      withQuery(url, (p) => p.delete('signature')),
      withQuery(url, (p) => p.append('signature', signature)),
      withQuery(url, (p) => p.set('expires', String(expires + 1))),
      withQuery(url, (p) => p.set('expires', String(expires + 10 * 365 * 24 * 3600))),
      withQuery(url, (p) => p.set('expires', `0${expires}`)),
      withQuery(url, (p) => p.set('expires', `${expires}.0`)),
      withQuery(url, (p) => p.set('expires', `+${expires}`)),
      withQuery(url, (p) => p.delete('expires')),
      {},
    ]) {
      expect(urls.verify(FILE, query), JSON.stringify(query)).toBeNull();
    }
    expect(signer().urls.verify(FILE, queryOf(url))).toBeNull();
  });

  it('signs every Message an event carries, now, and leaves other events as they are', () => {
    const { urls, clock } = signer({ ttlSeconds: 60 });
    const stale = urls.urlFor(FILE);
    clock.ms += 3600 * 1000;
    expect(urls.verify(FILE, queryOf(stale))).toBeNull();

    const created = urls.signEvent({
      type: 'message_created',
      message: message({ file_url: stale }),
      seq: 1,
    });
    expect(created.message.file_url).not.toBe(stale);
    expect(urls.verify(FILE, queryOf(created.message.file_url!))).not.toBeNull();
    expect(created).toEqual({
      type: 'message_created',
      message: message({ file_url: created.message.file_url }),
      seq: 1,
    });

    // Events logged before file_url existed have no such key; they leave with one.
    const { file_url: _, ...old } = message();
    const replayed = urls.signEvent({ type: 'message_deleted', message: old as Message, seq: 2 });
    expect(replayed.message.file_url).toBe(urls.urlFor(FILE));

    const text = urls.signEvent({ type: 'message_updated', message: message({ file: null }), seq: 3 });
    expect(text.message.file_url).toBeNull();
    // Nothing to sign: the same event, not a copy (issue 13: no signing pass over text).
    expect(urls.signEvent(text)).toBe(text);
    const { file_url: __, ...oldText } = message({ file: null });
    expect(urls.signEvent({ message: oldText as Message }).message).toEqual(message({ file: null }));

    const room = {
      uuid: '6eface74-d674-4f7b-b6ce-f96ea9c091d7',
      recruiter: '7e567d18-468b-4563-833f-b3ea48639284',
      clients: [],
      created_at: '2024-11-18T09:04:16.376929+00:00',
      last_message: message({ file_url: stale }),
      unread_count: 0,
    } satisfies ChatRoom;
    const updated = urls.signEvent({ type: 'room_updated', room, seq: 4 });
    expect(updated.room.last_message?.file_url).toBe(urls.urlFor(FILE));
    // A webhook payload carries its message the same way.
    expect(urls.signEvent({ message: message() }).message.file_url).toBe(urls.urlFor(FILE));

    const read = { type: 'message_read', message_id: room.uuid, user_id: room.recruiter, seq: 5 };
    expect(urls.signEvent(read)).toBe(read);
    const typing = { type: 'typing', typing_users: [] };
    expect(urls.signEvent(typing)).toBe(typing);
  });

  it('refuses a short secret and a lifetime outside 1 s to a week', () => {
    expect(() => new MediaUrls({ secret: 'x'.repeat(31) })).toThrow(/at least 32 bytes/);
    expect(() => new MediaUrls({ secret: randomBytes(31) })).toThrow(/at least 32 bytes/);
    expect(() => new MediaUrls({ secret: 'é'.repeat(16) })).not.toThrow();
    for (const ttlSeconds of [0, -1, 1.5, 604_801, Number.NaN]) {
      expect(() => new MediaUrls({ secret: randomBytes(32), ttlSeconds }), String(ttlSeconds)).toThrow(
        /lifetime/,
      );
    }
    expect(new MediaUrls({ secret: randomBytes(32) }).ttlSeconds).toBe(3600);
  });
});
