import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it, vi } from 'vitest';
import { ChatError } from '../../src/domain/chat-error.js';
import { JwtIdentity } from '../../src/identity/jwt-identity.js';
import { signAccessToken } from '../../src/identity/sign-access-token.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256';

/** PEM strings, as an operator would paste them into the environment. */
const newRsaKeys = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const rsa = newRsaKeys();
const ec = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/** An HS256 token with the test secret, valid for five minutes unless `options` say otherwise. */
const signHs256 = (payload: string | object, options: jwt.SignOptions = {}) =>
  typeof payload === 'string'
    ? jwt.sign(payload, SECRET)
    : jwt.sign(payload, SECRET, { expiresIn: 300, ...options });

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a token by hand, the way an attacker would, to check what the identity refuses. */
function forgeToken(header: object, payload: object, sign: (input: string) => string): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${sign(input)}`;
}

async function expectUnauthenticated(verifying: Promise<unknown>, detail?: string): Promise<void> {
  const error = await verifying.then(
    () => {
      throw new Error('expected the token to be refused');
    },
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ChatError);
  expect((error as ChatError).code).toBe('not_authenticated');
  if (detail !== undefined) expect((error as ChatError).message).toBe(detail);
}

describe('JwtIdentity with a shared secret (HS256)', () => {
  const identity = new JwtIdentity({ secret: SECRET });

  it('answers the caller and expiry of a valid token', async () => {
    const id = randomUUID();
    const token = signAccessToken(SECRET, {
      sub: id,
      email: 'ann@example.com',
      name: 'Ann',
      role: 'recruiter',
    });
    const { exp } = jwt.decode(token) as { exp: number };

    const verified = await identity.verify(token);

    expect(verified).toEqual({
      caller: { id, email: 'ann@example.com', name: 'Ann', role: 'recruiter' },
      expiresAt: new Date(exp * 1000),
    });
  });

  it('takes the user id from `user_id` when there is no `sub` (Django SimpleJWT)', async () => {
    const id = randomUUID();
    const token = jwt.sign({ token_type: 'access', jti: 'abc', user_id: id }, SECRET, { expiresIn: 300 });

    expect((await identity.verify(token)).caller.id).toBe(id);
  });

  it('prefers `sub` over `user_id`', async () => {
    const sub = randomUUID();
    const token = signHs256({ sub, user_id: randomUUID() });

    expect((await identity.verify(token)).caller.id).toBe(sub);
  });

  it('lowercases the user id', async () => {
    const id = randomUUID();
    const token = signHs256({ sub: id.toUpperCase() });

    expect((await identity.verify(token)).caller.id).toBe(id);
  });

  it('refuses a token without `exp` (issue 9, fault 6)', async () => {
    const token = jwt.sign({ sub: randomUUID() }, SECRET);

    await expectUnauthenticated(identity.verify(token), 'Token has no expiry (exp).');
  });

  it('with `requireExp: false`, takes a token without `exp` and answers a null expiry', async () => {
    const lenient = new JwtIdentity({ secret: SECRET, requireExp: false });
    const token = jwt.sign({ sub: randomUUID() }, SECRET);

    expect((await lenient.verify(token)).expiresAt).toBeNull();
    // Its other rules hold all the same.
    await expectUnauthenticated(
      lenient.verify(jwt.sign({ sub: randomUUID(), token_type: 'refresh' }, SECRET)),
      'Invalid token.',
    );
  });

  it('refuses a SimpleJWT refresh token, or any token_type but access, like a badly signed one (issue 9, fault 6)', async () => {
    for (const tokenType of ['refresh', 'sliding', 'Access', '', 1, null, ['access']]) {
      const token = signHs256(
        { token_type: tokenType, jti: 'abc', user_id: randomUUID() },
        { expiresIn: 86_400 },
      );
      await expectUnauthenticated(identity.verify(token), 'Invalid token.');
    }
    const access = signHs256({ token_type: 'access', jti: 'abc', user_id: randomUUID() });
    await expect(identity.verify(access)).resolves.toMatchObject({ caller: expect.any(Object) });
  });

  it('maps each known role, and anything else to null', async () => {
    for (const role of ['recruiter', 'client', 'admin'] as const) {
      const token = signAccessToken(SECRET, { sub: randomUUID(), role });
      expect((await identity.verify(token)).caller.role).toBe(role);
    }
    for (const role of ['superuser', 'Admin', 1, null, ['admin']]) {
      const token = signHs256({ sub: randomUUID(), role });
      expect((await identity.verify(token)).caller.role).toBeNull();
    }
  });

  it('answers null for missing claims and for email and name that are not strings', async () => {
    const bare = await identity.verify(signAccessToken(SECRET, { sub: randomUUID() }));
    expect(bare.caller).toMatchObject({ email: null, name: null, role: null });

    const odd = await identity.verify(signHs256({ sub: randomUUID(), email: 42, name: { first: 'Ann' } }));
    expect(odd.caller).toMatchObject({ email: null, name: null });
  });

  it('refuses an expired token', async () => {
    const token = signAccessToken(SECRET, { sub: randomUUID() }, { expiresIn: -10 });

    await expectUnauthenticated(identity.verify(token), 'Token expired.');
  });

  it('refuses a token it verified before once its exp has passed', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date'] });
    try {
      const fresh = new JwtIdentity({ secret: SECRET });
      const token = signAccessToken(SECRET, { sub: randomUUID() }, { expiresIn: 60 });
      await expect(fresh.verify(token)).resolves.toMatchObject({ caller: { role: null } });
      vi.setSystemTime(new Date('2030-01-01T00:00:59.999Z'));
      await expect(fresh.verify(token)).resolves.toBeTruthy();
      vi.setSystemTime(new Date('2030-01-01T00:01:00Z'));
      await expectUnauthenticated(fresh.verify(token), 'Token expired.');
      await expectUnauthenticated(fresh.verify(token), 'Token expired.');
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers a token verified before the same, and never shares its answer with the caller', async () => {
    const id = randomUUID();
    const token = signAccessToken(SECRET, { sub: id, name: 'Rita', role: 'recruiter' });
    const first = await identity.verify(token);
    first.caller.name = 'changed by the caller';
    first.expiresAt?.setTime(0);
    const second = await identity.verify(token);
    expect(second.caller).toEqual({ id, email: null, name: 'Rita', role: 'recruiter' });
    expect(second.expiresAt?.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a token signed with another secret', async () => {
    const token = signAccessToken('another-secret', { sub: randomUUID() });

    await expectUnauthenticated(identity.verify(token), 'Invalid token.');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const token = signAccessToken(SECRET, { sub: randomUUID(), role: 'client' });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const tampered = `${header}.${base64url({ ...claims, role: 'admin' })}.${signature}`;

    await expectUnauthenticated(identity.verify(tampered), 'Invalid token.');
  });

  it('refuses an unsigned token (`alg: none`)', async () => {
    const token = forgeToken({ alg: 'none', typ: 'JWT' }, { sub: randomUUID(), role: 'admin' }, () => '');

    await expectUnauthenticated(identity.verify(token), 'Invalid token.');
  });

  it('refuses an HS512 token even with the right secret (algorithms are pinned)', async () => {
    const token = jwt.sign({ sub: randomUUID() }, SECRET, { algorithm: 'HS512' });

    await expectUnauthenticated(identity.verify(token), 'Invalid token.');
  });

  it('refuses an RS256 token', async () => {
    const token = jwt.sign({ sub: randomUUID() }, rsa.privateKey, { algorithm: 'RS256' });

    await expectUnauthenticated(identity.verify(token), 'Invalid token.');
  });

  it('refuses a token without a user id', async () => {
    const token = signHs256({ email: 'ann@example.com' });

    await expectUnauthenticated(identity.verify(token), 'Token has no user id.');
  });

  it('refuses a user id that is not a UUID', async () => {
    for (const sub of ['42', 'not-a-uuid', `${randomUUID()}x`]) {
      await expectUnauthenticated(identity.verify(signHs256({ sub })), 'Token user id is not a UUID.');
    }
    await expectUnauthenticated(identity.verify(signHs256({ user_id: 42 })), 'Token user id is not a UUID.');
  });

  it('refuses garbage, an empty string and a token whose payload is not an object', async () => {
    await expectUnauthenticated(identity.verify('garbage'), 'Invalid token.');
    await expectUnauthenticated(identity.verify('a.b.c'), 'Invalid token.');
    await expectUnauthenticated(identity.verify(''), 'Invalid token.');
    await expectUnauthenticated(identity.verify(signHs256('just a string')), 'Invalid token.');
  });

  it('refuses to be built without a secret', () => {
    expect(() => new JwtIdentity({ secret: '' })).toThrow(/secret/);
  });
});

describe('JwtIdentity with a public key', () => {
  it('accepts RS256 tokens', async () => {
    const identity = new JwtIdentity({ publicKey: rsa.publicKey });
    const id = randomUUID();
    const token = jwt.sign({ sub: id, role: 'client' }, rsa.privateKey, {
      algorithm: 'RS256',
      expiresIn: 60,
    });

    expect((await identity.verify(token)).caller).toEqual({ id, email: null, name: null, role: 'client' });
  });

  it('accepts ES256 tokens', async () => {
    const identity = new JwtIdentity({ publicKey: ec.publicKey });
    const id = randomUUID();
    const token = jwt.sign({ sub: id }, ec.privateKey, { algorithm: 'ES256', expiresIn: 60 });

    expect((await identity.verify(token)).caller.id).toBe(id);
  });

  it('refuses an HS256 token signed with the public key as its secret (algorithm confusion)', async () => {
    const identity = new JwtIdentity({ publicKey: rsa.publicKey });
    const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, { sub: randomUUID(), role: 'admin' }, (input) =>
      createHmac('sha256', rsa.publicKey).update(input).digest('base64url'),
    );

    await expectUnauthenticated(identity.verify(token), 'Invalid token.');
  });

  it('refuses an unsigned token (`alg: none`)', async () => {
    const identity = new JwtIdentity({ publicKey: rsa.publicKey });
    const token = forgeToken({ alg: 'none' }, { sub: randomUUID() }, () => '');

    await expectUnauthenticated(identity.verify(token), 'Invalid token.');
  });

  it('refuses a token signed by another key', async () => {
    const identity = new JwtIdentity({ publicKey: rsa.publicKey });
    const other = newRsaKeys();
    const token = jwt.sign({ sub: randomUUID() }, other.privateKey, { algorithm: 'RS256' });

    await expectUnauthenticated(identity.verify(token), 'Invalid token.');
  });

  it('refuses an algorithm left out of `algorithms`', async () => {
    const identity = new JwtIdentity({ publicKey: rsa.publicKey, algorithms: ['ES256'] });
    const token = jwt.sign({ sub: randomUUID() }, rsa.privateKey, { algorithm: 'RS256' });

    await expectUnauthenticated(identity.verify(token), 'Invalid token.');
  });

  it('refuses a refresh token and a token without `exp`', async () => {
    const identity = new JwtIdentity({ publicKey: ec.publicKey });
    const refresh = jwt.sign({ sub: randomUUID(), token_type: 'refresh' }, ec.privateKey, {
      algorithm: 'ES256',
      expiresIn: 60,
    });
    const forever = jwt.sign({ sub: randomUUID() }, ec.privateKey, { algorithm: 'ES256' });

    await expectUnauthenticated(identity.verify(refresh), 'Invalid token.');
    await expectUnauthenticated(identity.verify(forever), 'Token has no expiry (exp).');
  });

  it('refuses an expired token', async () => {
    const identity = new JwtIdentity({ publicKey: ec.publicKey });
    const token = jwt.sign({ sub: randomUUID() }, ec.privateKey, { algorithm: 'ES256', expiresIn: -10 });

    await expectUnauthenticated(identity.verify(token), 'Token expired.');
  });

  it('refuses to be built with a key that is not a PEM public key, or with unknown algorithms', () => {
    expect(() => new JwtIdentity({ publicKey: 'not a key' })).toThrow(/publicKey/);
    expect(() => new JwtIdentity({ publicKey: rsa.publicKey, algorithms: [] })).toThrow(/algorithms/);
    expect(
      () => new JwtIdentity({ publicKey: rsa.publicKey, algorithms: ['HS256' as unknown as 'RS256'] }),
    ).toThrow(/algorithms/);
  });
});
