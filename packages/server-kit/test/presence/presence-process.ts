// A server process of its own for the presence tests, which they SIGKILL or SIGSTOP: holds a
// socket of each user named, and writes a JSON line per event to stdout.
// Usage: presence-process.ts <redis url> <prefix> <timeout ms> <user>...
import { Redis } from 'ioredis';
import { RedisPresenceState } from '../../src/presence/redis-presence-state.js';

const [url, prefix, timeoutMs, ...users] = process.argv.slice(2);
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

const redis = new Redis(url ?? '', {
  commandTimeout: 1_000,
  autoResendUnfulfilledCommands: false,
  lazyConnect: true,
});
redis.on('error', () => undefined);
await redis.connect();
const presence = new RedisPresenceState({ redis, prefix, timeoutMs: Number(timeoutMs), sweepIntervalMs: 50 });
presence.onExpire((expired) => say({ expired }));
presence.onRestore((restored) => say({ restored }));
for (const user of users) await presence.connect(user);
say({ ready: true });
