import { ChatClient } from '@hirechat/client-sdk';
import type { DevUser } from '@hirechat/protocol';
import { createContext, useContext } from 'react';
import { devTokenSource } from './sign-in/dev-sign-in.js';

/** Who is signed in, the people the demo knows by name, and the SDK client acting for the user. */
export interface Session {
  me: DevUser;
  users: readonly DevUser[];
  chat: ChatClient;
  /** A person's name; users outside the demo list (made with `npm run token`) by their id. */
  nameOf(id: string): string;
}

export function createSession(me: DevUser, users: readonly DevUser[]): Session {
  const names = new Map(users.map((user) => [user.id, user.name]));
  return {
    me,
    users,
    // The page is served by the chat server itself, so the API is on the page's own origin.
    chat: new ChatClient({ baseUrl: window.location.origin, token: devTokenSource(me.id) }),
    nameOf: (id) => (id === me.id ? 'You' : (names.get(id) ?? `User ${id.slice(0, 8)}`)),
  };
}

export const SessionContext = createContext<Session | null>(null);

/** The session of the signed-in part of the app. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside a signed-in view');
  return session;
}
