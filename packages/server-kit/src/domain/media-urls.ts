import { createHmac, timingSafeEqual } from 'node:crypto';
import { type ChatRoom, DEFAULT_MEDIA_URL_TTL_S, MediaUrlParams, type Message } from '@hirechat/protocol';

/** Shortest secret accepted, in bytes: RFC 2104 §3 asks for at least the hash's length (SHA-256). */
export const MIN_MEDIA_URL_SECRET_BYTES = 32;
/** Longest lifetime accepted, in seconds: a week, as for S3 and GCS signed URLs. */
export const MAX_MEDIA_URL_TTL_S = 7 * 24 * 60 * 60;

/**
 * Expiries are rounded up to a multiple of a quarter of the lifetime, so that every message of a
 * file sent within that quarter carries the same URL (a browser's cache then serves it once),
 * while each stays valid for at least the lifetime: between 1 and 1.25 times it.
 */
const WINDOWS_PER_TTL = 4;
/**
 * Put before what is signed, so that a signature of ours can never be taken for anything else
 * made with the same key (the key may be shared, or derived from the JWT secret).
 */
const SIGNED_PREFIX = 'hirechat-media-url/v1\n';
/** Unix seconds, canonical: no sign, no leading zero, no more digits than a date needs. */
const EXPIRES_PATTERN = /^[1-9]\d{0,11}$/;

export interface MediaUrlsOptions {
  /**
   * HMAC-SHA256 key, at least 32 bytes (a string counts its UTF-8 bytes). Every process that serves
   * the same files needs the same one.
   */
  secret: string | Uint8Array;
  /** Least time, in seconds, that a URL stays valid after it was signed. Default 3600; at most a week. */
  ttlSeconds?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** The query of a download, as a mount parsed it: a value may be missing or repeated. */
export type MediaUrlQuery = Readonly<Record<string, unknown>>;

/**
 * Signs and checks media URLs: the `file_url` of every Message (contract, "Files, continued").
 *
 * A URL is the message's `file` path with `?expires=<Unix seconds>&signature=<base64url
 * HMAC-SHA256 of the path and expiry>`. It is a bearer capability, as S3 and GCS signed URLs are:
 * whoever holds it may download that one file until it expires, with no token.
 *
 * A Message is signed when it leaves the server, never once for all when it is stored: REST
 * answers, live events and events replayed from the log each get a URL valid from the moment they
 * are sent. Everything that sends Messages (room sockets, an inbox, webhooks) passes its events
 * through {@link MediaUrls.signEvent}.
 */
export class MediaUrls {
  /** Least lifetime of a URL, in seconds. */
  readonly ttlSeconds: number;
  private readonly key: Buffer;
  private readonly windowSeconds: number;
  private readonly now: () => number;

  /** @throws Error when the secret is shorter than 32 bytes or the lifetime is not 1 s to a week. */
  constructor(options: MediaUrlsOptions) {
    const key = Buffer.from(
      typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret,
    );
    if (key.length < MIN_MEDIA_URL_SECRET_BYTES) {
      throw new Error(`media URL secret must be at least ${MIN_MEDIA_URL_SECRET_BYTES} bytes long.`);
    }
    const ttl = options.ttlSeconds ?? DEFAULT_MEDIA_URL_TTL_S;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_MEDIA_URL_TTL_S) {
      throw new Error(
        `media URL lifetime must be a whole number of seconds from 1 to ${MAX_MEDIA_URL_TTL_S}, got ${String(ttl)}.`,
      );
    }
    this.key = key;
    this.ttlSeconds = ttl;
    this.windowSeconds = Math.max(1, Math.floor(ttl / WINDOWS_PER_TTL));
    this.now = options.now ?? Date.now;
  }

  /** The signed URL of a file path (a Message's `file`), valid for at least the lifetime from now. */
  urlFor(file: string): string {
    const earliest = this.now() / 1000 + this.ttlSeconds;
    const expires = String(Math.ceil(earliest / this.windowSeconds) * this.windowSeconds);
    const query = new URLSearchParams({
      [MediaUrlParams.expires]: expires,
      [MediaUrlParams.signature]: this.signature(file, expires),
    });
    return `${file}?${query}`;
  }

  /**
   * Checks the signed query of a download of `file` (the path as a Message's `file` spells it).
   * Answers how many whole seconds the URL stays valid (0 in its last second), or null when the
   * query is missing, malformed, not signed for this path and expiry with our key, or expired.
   * The signature is compared in constant time.
   */
  verify(file: string, query: MediaUrlQuery): number | null {
    const expires = query[MediaUrlParams.expires];
    const signature = query[MediaUrlParams.signature];
    if (typeof expires !== 'string' || typeof signature !== 'string' || !EXPIRES_PATTERN.test(expires)) {
      return null;
    }
    const expected = Buffer.from(this.signature(file, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const leftMs = Number(expires) * 1000 - this.now();
    return leftMs >= 0 ? Math.floor(leftMs / 1000) : null;
  }

  /**
   * The message with a `file_url` signed now (null without a file); any older one is replaced. A
   * message without a file whose `file_url` is null already comes back as it is, not copied.
   */
  signMessage(message: Message): Message {
    if (message.file === null && message.file_url === null) return message;
    return { ...message, file_url: message.file === null ? null : this.urlFor(message.file) };
  }

  /** The room with its `last_message` signed now; as it is when that changes nothing. */
  signRoom<R extends Pick<ChatRoom, 'last_message'>>(room: R): R {
    if (room.last_message === null) return room;
    const last = this.signMessage(room.last_message);
    return last === room.last_message ? room : { ...room, last_message: last };
  }

  /**
   * The event (or webhook payload) with every Message it carries signed now: its `message`, and
   * the `last_message` of its `room`. Events without either come back as they are. Call it on each
   * event right before it leaves the server, also when it was read back from a log: a URL signed
   * at write time may have expired by the time an event is replayed. An event with no file to
   * sign (most: text messages) comes back as it is, not copied.
   */
  signEvent<E extends object>(event: E): E {
    let signed = event;
    if ('message' in event && isMessage(event.message)) {
      const message = this.signMessage(event.message);
      if (message !== event.message) signed = { ...signed, message };
    }
    if ('room' in event && isRoom(event.room)) {
      const room = this.signRoom(event.room);
      if (room !== event.room) signed = { ...signed, room };
    }
    return signed;
  }

  private signature(file: string, expires: string): string {
    return createHmac('sha256', this.key).update(`${SIGNED_PREFIX}${expires}\n${file}`).digest('base64url');
  }
}

function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null || !('file' in value)) return false;
  return typeof value.file === 'string' || value.file === null;
}

function isRoom(value: unknown): value is Pick<ChatRoom, 'last_message'> {
  return typeof value === 'object' && value !== null && 'last_message' in value;
}
