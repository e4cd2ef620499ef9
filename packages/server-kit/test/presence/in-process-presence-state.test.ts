import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InProcessPresenceState } from '../../src/presence/in-process-presence-state.js';
import { describePresenceState } from './presence-state-suite.js';

describePresenceState('in process', async () => {
  const presence = new InProcessPresenceState();
  return { presence, cleanup: () => presence.close() };
});

describe('InProcessPresenceState', () => {
  it('forgets everyone on close', async () => {
    const presence = new InProcessPresenceState();
    const alice = randomUUID();
    await presence.connect(alice);

    await presence.close();

    expect(await presence.online([alice])).toEqual([]);
  });
});
