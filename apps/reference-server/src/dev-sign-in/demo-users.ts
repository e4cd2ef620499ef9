import type { DevUser } from '@hirechat/protocol';

/**
 * The fixed users of the development sign-in: two recruiters and three clients. Rita and Carl have
 * the UUIDs of the README's walkthrough, so tokens made there with `npm run token` and sign-ins of
 * the demo web app are the same people.
 */
export const DEMO_USERS: readonly DevUser[] = [
  {
    id: 'fb4f2036-51e3-4bd5-8461-529a77ce5bca',
    name: 'Rita Ramos',
    email: 'rita@demo.hirechat.test',
    role: 'recruiter',
  },
  {
    id: '5c0a3d7e-2f4b-4c1e-9b7a-8d2e6f1a9c31',
    name: 'Rob Reyes',
    email: 'rob@demo.hirechat.test',
    role: 'recruiter',
  },
  {
    id: '182eebdd-9a2a-4bf2-93e1-11882841cb9f',
    name: 'Carl Chen',
    email: 'carl@demo.hirechat.test',
    role: 'client',
  },
  {
    id: '9e7d1c4b-6a3f-4d2e-8b1c-5f0a2e9d7c64',
    name: 'Cleo Costa',
    email: 'cleo@demo.hirechat.test',
    role: 'client',
  },
  {
    id: '3b8f6e2a-1d9c-4a7b-b5e3-7c4d0f8a2e19',
    name: 'Chidi Cole',
    email: 'chidi@demo.hirechat.test',
    role: 'client',
  },
];
