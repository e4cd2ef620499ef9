import { useState } from 'react';
import { ChatScreen } from './chat-screen.js';
import { type Session, SessionContext } from './session.js';
import { SignInPage } from './sign-in/sign-in-page.js';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  if (!session) return <SignInPage onSignIn={setSession} />;
  return (
    <SessionContext.Provider value={session}>
      <ChatScreen onSignOut={() => setSession(null)} />
    </SessionContext.Provider>
  );
}
