import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts of RedisTypingState. Each room has two sorted sets with the same members:
 * `<room key>` scores each typist with the time their typing expires, and `<room key>:started`
 * with the time they started (which orders `typing_users`). `<prefix>:typing-rooms` scores each
 * room with its earliest expiry, so that any process can find the typists due to expire.
 *
 * Times come from the Redis server's clock (TIME), the one clock every process shares. Each script
 * runs atomically, so a check and the write that depends on it cannot interleave with another
 * process's.
 */

/** Runs a script by its SHA1, loading it on the first NOSCRIPT (a new or flushed server). */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

// Shared by every script. Redis 7 replicates the effects of scripts by default; older servers
// must be told to, or a script that reads TIME may not write.
const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), t[1] .. string.format('%06d', tonumber(t[2]))
end
local function int(n)
  return string.format('%.0f', n)
end
-- The typists whose expiry is still ahead, in the order they started, after a head.
local function live(out, expires, started, now)
  for _, user in ipairs(redis.call('ZRANGE', started, 0, -1)) do
    local score = redis.call('ZSCORE', expires, user)
    if score and tonumber(score) > now then out[#out + 1] = user end
  end
  return out
end
-- Keeps the room's earliest expiry in the index, or takes the room out of it once empty.
local function reindex(expires, index, room, ttl)
  local first = redis.call('ZRANGE', expires, 0, 0, 'WITHSCORES')
  if first[1] then
    redis.call('ZADD', index, first[2], room)
    redis.call('PEXPIRE', index, ttl)
    return tonumber(first[2])
  end
  redis.call('ZREM', index, room)
  return -1
end
`;

/**
 * KEYS: expires, started, index. ARGV: room, user, '1' or '0', timeoutMs, key ttl.
 * Answers {1, ...typists} when the room's set changed, {0} when it did not.
 *
 * An entry past its expiry that no sweep has removed yet counts as absent: starting again makes
 * the typist new (the answer announces them), and stopping removes the entry and answers the
 * set (the announcement that the sweep would otherwise have made).
 */
export const SET_TYPING = new LuaScript(`${PRELUDE}
local expires, started, index = KEYS[1], KEYS[2], KEYS[3]
local room, user, typing, timeout, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local now, micros = clock()
local score = redis.call('ZSCORE', expires, user)
if typing == '1' then
  local wasLive = score and tonumber(score) > now
  redis.call('ZADD', expires, int(now + timeout), user)
  if not wasLive then redis.call('ZADD', started, micros, user) end
  redis.call('PEXPIRE', expires, ttl)
  redis.call('PEXPIRE', started, ttl)
  reindex(expires, index, room, ttl)
  if wasLive then return {0} end
  return live({1}, expires, started, now)
end
if not score then return {0} end
redis.call('ZREM', expires, user)
redis.call('ZREM', started, user)
reindex(expires, index, room, ttl)
return live({1}, expires, started, now)
`);

/** KEYS: expires, started. Answers the typists in the order they started. */
export const GET_TYPING = new LuaScript(`${PRELUDE}
local now = clock()
return live({}, KEYS[1], KEYS[2], now)
`);

/**
 * KEYS: index. ARGV: limit. Answers {now, next expiry or -1, ...rooms due}: the rooms with a
 * typist whose expiry has passed, and the earliest expiry still ahead.
 */
export const DUE_ROOMS = new LuaScript(`${PRELUDE}
local now = clock()
local out = {now, -1}
local nextDue = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. int(now), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if nextDue[2] then out[2] = tonumber(nextDue[2]) end
for _, room in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', int(now), 'LIMIT', 0, tonumber(ARGV[1]))) do
  out[#out + 1] = room
end
return out
`);

/**
 * KEYS: expires, started, index. ARGV: room, key ttl. Removes the room's expired typists and
 * answers {removed count, the room's next expiry or -1, ...typists who remain}. Only the process
 * whose call removed someone announces it, so the announcement goes out once.
 */
export const EXPIRE_ROOM = new LuaScript(`${PRELUDE}
local expires, started, index = KEYS[1], KEYS[2], KEYS[3]
local room, ttl = ARGV[1], ARGV[2]
local now = clock()
local expired = redis.call('ZRANGEBYSCORE', expires, '-inf', int(now))
for _, user in ipairs(expired) do
  redis.call('ZREM', expires, user)
  redis.call('ZREM', started, user)
end
local nextDue = reindex(expires, index, room, ttl)
return live({#expired, nextDue}, expires, started, now)
`);
