import { generateKeyPairSync } from 'node:crypto';
import { DevTokenSchema, DevUserListSchema } from '@hirechat/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../src/dev-sign-in/demo-users.js';
import { answerOf, type InProcessServer, startInProcessServer } from './support/in-process-server.js';

const RITA = DEMO_USERS.find((user) => user.name === 'Rita Ramos')!;
const CARL = DEMO_USERS.find((user) => user.name === 'Carl Chen')!;

describe('the development sign-in', () => {
  const started: InProcessServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const server = await startInProcessServer({ DEMO_WEB: 'off', ...env });
    started.push(server);
    return server;
  };
  const postToken = (server: InProcessServer, body: string, type = 'application/json') =>
    fetch(`${server.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': type }, body });

  describe('with the development secret', () => {
    it('lists the demo users, recruiters and clients', async () => {
      const server = await start();
      const response = await fetch(`${server.url}/dev/users`);
      expect(response.status).toBe(200);
      const users = DevUserListSchema.parse(await response.json());
      expect(users).toEqual(DEMO_USERS);
      expect(new Set(users.map((user) => user.role))).toEqual(new Set(['recruiter', 'client']));
    });

    it('signs a token for a demo user that the chat API accepts, with their name and role', async () => {
      const server = await start();
      const response = await postToken(server, JSON.stringify({ user: RITA.id.toUpperCase() }));
      expect(response.status).toBe(200);
      const answer = DevTokenSchema.parse(await response.json());
      expect(answer.user).toEqual(RITA);
      expect(answer.expires_in).toBe(3600);
      const claims = JSON.parse(Buffer.from(answer.token.split('.')[1]!, 'base64url').toString('utf8'));
      expect(claims).toMatchObject({ sub: RITA.id, name: RITA.name, email: RITA.email, role: 'recruiter' });
      expect(claims.exp - claims.iat).toBe(3600);

      const created = await fetch(`${server.url}/chats/chat-room/create/`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${answer.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ recruiter: RITA.id, clients: [CARL.id] }),
      });
      expect(created.status).toBe(201);
    });

    it('says so in the log when it starts', async () => {
      const server = await start();
      expect(server.logs.some((line) => /development sign-in is on/.test(String(line.msg)))).toBe(true);
    });

    it.each([
      ['no body', '', { user: ['This field is required.'] }],
      ['no user', '{}', { user: ['This field is required.'] }],
      ['a user that is not a UUID', '{"user": "rita"}', { user: ['Must be a valid UUID.'] }],
      [
        'a user that is not a demo user',
        '{"user": "00000000-0000-4000-8000-000000000000"}',
        { user: ['Not a demo user; see /dev/users.'] },
      ],
      ['an unknown field', `{"user": "${RITA.id}", "role": "admin"}`, { role: ['Unknown field.'] }],
    ])('refuses %s with a 400 that names the field', async (_what, body, expected) => {
      const server = await start();
      const response = await postToken(server, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(expected);
    });

    it('refuses a body that is not JSON with a 415', async () => {
      const server = await start();
      const response = await postToken(server, `user=${RITA.id}`, 'application/x-www-form-urlencoded');
      expect(response.status).toBe(415);
      expect(await response.json()).toHaveProperty('detail');
    });
  });

  const { publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  describe.each([
    ['JWT_SECRET', { JWT_SECRET: 's'.repeat(32) }],
    // A public key gives nothing to derive the media URL key from: that is configured too.
    ['JWT_PUBLIC_KEY', { JWT_PUBLIC_KEY: publicKey, MEDIA_URL_SECRET: 'm'.repeat(32) }],
  ])('with %s configured', (_variable, env) => {
    it('does not exist: its paths answer as any unknown path does', async () => {
      const server = await start(env);
      const unknown = await answerOf(`${server.url}/dev/unknown`);
      expect(unknown.status).toBe(404);
      expect(await answerOf(`${server.url}/dev/users`)).toEqual(unknown);
      const post = { method: 'POST', headers: { 'Content-Type': 'application/json' } };
      const unknownPost = await answerOf(`${server.url}/dev/unknown`, {
        ...post,
        body: JSON.stringify({ user: RITA.id }),
      });
      expect(
        await answerOf(`${server.url}/dev/token`, { ...post, body: JSON.stringify({ user: RITA.id }) }),
      ).toEqual(unknownPost);
      expect(unknownPost.status).toBe(404);
      expect(server.logs.some((line) => /development sign-in/.test(String(line.msg)))).toBe(false);
    });
  });
});
