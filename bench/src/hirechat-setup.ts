import { randomUUID } from 'node:crypto';
import { INBOX_SOCKET_PATH } from '@hirechat/protocol';
import { signAccessToken } from '@hirechat/server-kit';

/*
 * Users, tokens and rooms on a running hirechat, made the way an app makes them: rooms over REST,
 * tokens signed with the server's JWT_SECRET. Every member is a user of their own, so a room of
 * 1,000 sockets is a recruiter (the writer, who posts over REST and holds no socket) and 1,000
 * clients.
 */

/** Long enough for any run: a token that expired mid-run would close its socket with 4401. */
const TOKEN_SECONDS = 6 * 60 * 60;

export interface HirechatRoom {
  uuid: string;
  /** One token per member, in the order their sockets open. */
  memberTokens: string[];
}

export interface HirechatRooms {
  /** The recruiter of every room: the writer. */
  writerToken: string;
  rooms: HirechatRoom[];
}

/** Makes rooms of the given sizes over REST. */
export async function createHirechatRooms(
  baseUrl: string,
  secret: string,
  sizes: number[],
  concurrency = 8,
): Promise<HirechatRooms> {
  const recruiter = randomUUID();
  const writerToken = signAccessToken(
    secret,
    { sub: recruiter, role: 'recruiter', name: 'bench writer' },
    { expiresIn: TOKEN_SECONDS },
  );
  const rooms = new Array<HirechatRoom>(sizes.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      const size = sizes[index];
      if (size === undefined) return;
      const clients = Array.from({ length: size }, () => randomUUID());
      const memberTokens = clients.map((sub) =>
        signAccessToken(secret, { sub, role: 'client' }, { expiresIn: TOKEN_SECONDS }),
      );
      const response = await fetch(`${baseUrl}/chats/chat-room/create/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ recruiter, clients }),
      });
      const body = (await response.json()) as { uuid?: string };
      if (response.status !== 201 || !body.uuid) {
        throw new Error(`creating a room answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      }
      rooms[index] = { uuid: body.uuid, memberTokens };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { writerToken, rooms };
}

/** The URL of the token's user's inbox socket (contract, "The inbox"). */
export function hirechatInboxUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}${INBOX_SOCKET_PATH}?token=${encodeURIComponent(token)}`;
}

/** The socket URL of a member of a room. */
export function hirechatSocketUrl(baseUrl: string, room: string, token: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}/ws/chat/${room}/?token=${encodeURIComponent(token)}`;
}
