import type { DevUser } from '@hirechat/protocol';
import { useEffect, useState } from 'react';
import { Avatar } from '../avatar.js';
import { describeError } from '../errors.js';
import { createSession, type Session } from '../session.js';
import { fetchDemoUsers } from './dev-sign-in.js';
import { rememberedUser, rememberUser } from './remembered-user.js';

type Users =
  | { state: 'loading' }
  | { state: 'off' }
  | { state: 'ready'; users: DevUser[] }
  | { state: 'failed'; error: string };

export function SignInPage({ onSignIn }: { onSignIn(session: Session): void }) {
  const [users, setUsers] = useState<Users>({ state: 'loading' });

  useEffect(() => {
    let current = true;
    fetchDemoUsers().then(
      (list) => {
        if (!current) return;
        if (!list) return setUsers({ state: 'off' });
        const remembered = list.find((user) => user.id === rememberedUser());
        if (remembered) onSignIn(createSession(remembered, list));
        else setUsers({ state: 'ready', users: list });
      },
      (error: unknown) => current && setUsers({ state: 'failed', error: describeError(error) }),
    );
    return () => {
      current = false;
    };
  }, [onSignIn]);

  const signIn = (user: DevUser, list: DevUser[]) => {
    rememberUser(user.id);
    onSignIn(createSession(user, list));
  };

  return (
    <main className="sign-in">
      <h1>hirechat demo</h1>
      <p className="muted">
        Real-time chat between recruiters and their clients. Sign in as one of the demo users here, and as
        another in a second browser (or a private window) to talk to yourself.
      </p>
      {users.state === 'loading' && <p className="muted">Loading…</p>}
      {users.state === 'failed' && <p className="error">Could not reach the server: {users.error}</p>}
      {users.state === 'off' && (
        <p className="error">
          Demo sign-in is off: this server verifies tokens with JWT_SECRET or JWT_PUBLIC_KEY. Start it without
          either (it then uses its development secret) to try the demo.
        </p>
      )}
      {users.state === 'ready' &&
        (['recruiter', 'client'] as const).map((role) => (
          <section key={role} aria-label={role === 'recruiter' ? 'Recruiters' : 'Clients'}>
            <h2>{role === 'recruiter' ? 'Recruiters' : 'Clients'}</h2>
            <ul className="people">
              {users.users
                .filter((user) => user.role === role)
                .map((user) => (
                  <li key={user.id}>
                    <button type="button" className="person" onClick={() => signIn(user, users.users)}>
                      <Avatar name={user.name} />
                      <span>
                        <strong>{user.name}</strong>
                        <span className="muted">{user.email}</span>
                      </span>
                    </button>
                  </li>
                ))}
            </ul>
          </section>
        ))}
    </main>
  );
}
