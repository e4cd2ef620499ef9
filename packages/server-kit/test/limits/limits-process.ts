// A hirechat server process of its own for the cross-process limit tests, which they SIGKILL:
// limits counted in the Redis at <redis url> under <prefix>, tokens signed with <secret>. Writes
// one JSON line, {"url": "http://127.0.0.1:<port>"}, once it listens.
// Usage: limits-process.ts <redis url> <prefix> <secret> <sockets per user> <lease seconds>
import { Redis } from 'ioredis';
import { startTestServer } from '../../src/testing/index.js';

const [url, keyPrefix, secret, socketsPerUser, leaseSeconds] = process.argv.slice(2);
const redis = new Redis(url ?? '', { commandTimeout: 1_000, autoResendUnfulfilledCommands: false });
redis.on('error', () => undefined);
const server = await startTestServer({
  secret,
  database: { kind: 'sqlite' },
  limits: {
    redis,
    keyPrefix,
    socketsPerUser: Number(socketsPerUser),
    socketLeaseSeconds: Number(leaseSeconds),
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
