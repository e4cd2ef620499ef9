import { LuaScript } from '../typing/redis-typing-scripts.js';

/**
 * The Lua scripts of RedisPresenceState. The keys, under `<prefix>:presence`:
 *
 * - `:procs`, a sorted set of the live server processes, each scored with the time its lease
 *   ends. A process renews its lease on a timer; one whose lease has ended is taken for dead.
 * - `:proc:<id>`, a set per process: the users it holds a socket of.
 * - `:dying`, a set of the users of processes found dead whom no one has announced yet.
 *
 * A user is online while any registered process's set, or `:dying`, holds them. A sweep moves a
 * dead process's users into `:dying` and takes its registration away in one step; users are then
 * popped from `:dying` in batches, and whoever pops a user that no live process holds announces
 * them offline. A pop goes to one caller only, so each user is announced once, and a user held by
 * two processes stays online while either lives.
 *
 * Times come from the Redis server's clock (TIME), the one clock every process shares. Each script
 * runs atomically. The per-process keys are named inside the scripts (from the prefix), which a
 * single Redis allows and Redis Cluster does not.
 */

// Redis 7 replicates the effects of scripts by default; older servers must be told to, or a
// script that reads TIME may not write. SMISMEMBER needs Redis 6.2.
const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n)
  return string.format('%.0f', n)
end
-- The sets of every registered process but one (nil: every one), after a head.
local function procSets(out, procs, procPrefix, except)
  for _, p in ipairs(redis.call('ZRANGE', procs, 0, -1)) do
    if p ~= except then out[#out + 1] = procPrefix .. p end
  end
  return out
end
-- Which of the users any of the sets holds, as a table user -> true. In slices, because unpack
-- is bounded by Lua's stack.
local function heldIn(sets, users)
  local held = {}
  if #users == 0 then return held end
  for _, set in ipairs(sets) do
    for first = 1, #users, 500 do
      local last = math.min(first + 499, #users)
      local flags = redis.call('SMISMEMBER', set, unpack(users, first, last))
      for i, flag in ipairs(flags) do
        if flag == 1 then held[users[first + i - 1]] = true end
      end
    end
  end
  return held
end
`;

/**
 * KEYS: procs, dying, this process's set. ARGV: process id, lease ms, key ttl ms, process key
 * prefix, mode, count of users to hold, users to hold..., users to release...
 *
 * Registers the process (or renews its lease), adds and removes users in its set, and answers
 * `{registered before (1 or 0), count of online users, ...online users, ...offline users}`:
 *
 * - mode `t` (transitions): the users who came online (added here, held nowhere else) and went
 *   offline (removed here, held nowhere else). A process that was not registered had its users
 *   taken (found dead, or Redis lost them): then each release held nowhere else counts as going
 *   offline, since the caller cannot know whether it was announced.
 * - mode `s` (state): every user held now, and every released user held nowhere else, whether or
 *   not this call changed anything: for users whose earlier call failed, which may or may not
 *   have taken effect.
 *
 * Run with EVAL, never EVALSHA: the writes of one process must take effect in the order it sent
 * them (see RedisPresenceState), and a NOSCRIPT fallback would send one again after later ones.
 */
export const APPLY = `${PRELUDE}
local procs, dying, mine = KEYS[1], KEYS[2], KEYS[3]
local id, lease, ttl, procPrefix, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local holdCount = tonumber(ARGV[6])
local now = clock()
local registered = redis.call('ZSCORE', procs, id) and 1 or 0
redis.call('ZADD', procs, int(now + lease), id)
redis.call('PEXPIRE', procs, ttl)
local comingIn, goingOut = {}, {}
for i = 7, 6 + holdCount do
  local user = ARGV[i]
  if redis.call('SADD', mine, user) == 1 or mode == 's' then comingIn[#comingIn + 1] = user end
end
for i = 7 + holdCount, #ARGV do
  local user = ARGV[i]
  if redis.call('SREM', mine, user) == 1 or mode == 's' or registered == 0 then
    goingOut[#goingOut + 1] = user
  end
end
redis.call('PEXPIRE', mine, ttl)
local others = procSets({dying}, procs, procPrefix, id)
local out = {registered, 0}
if mode == 's' then
  for _, user in ipairs(comingIn) do out[#out + 1] = user end
else
  local held = heldIn(others, comingIn)
  for _, user in ipairs(comingIn) do
    if not held[user] then out[#out + 1] = user end
  end
end
out[2] = #out - 2
local held = heldIn(others, goingOut)
for _, user in ipairs(goingOut) do
  if not held[user] then out[#out + 1] = user end
end
return out
`;

/**
 * KEYS: procs, dying. ARGV: process key prefix, users... Answers the users who are online, in
 * the order given.
 */
export const ONLINE = new LuaScript(`${PRELUDE}
local users = {}
for i = 2, #ARGV do users[#users + 1] = ARGV[i] end
local held = heldIn(procSets({KEYS[2]}, KEYS[1], ARGV[1], nil), users)
local out = {}
for _, user in ipairs(users) do
  if held[user] then out[#out + 1] = user end
end
return out
`);

/**
 * KEYS: procs, dying. ARGV: process key prefix, limit, key ttl ms. Takes up to `limit` processes
 * whose lease has ended: moves their users into dying and their registration away. Answers
 * `{now, the next lease end or -1, count of processes taken, count of users in dying}`.
 */
export const CLAIM_DEAD = new LuaScript(`${PRELUDE}
local procs, dying = KEYS[1], KEYS[2]
local procPrefix, limit, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local now = clock()
local due = redis.call('ZRANGEBYSCORE', procs, '-inf', int(now), 'LIMIT', 0, limit)
for _, p in ipairs(due) do
  local set = procPrefix .. p
  if redis.call('EXISTS', set) == 1 then
    redis.call('SUNIONSTORE', dying, dying, set)
    redis.call('DEL', set)
  end
  redis.call('ZREM', procs, p)
end
local pending = redis.call('SCARD', dying)
if pending > 0 then redis.call('PEXPIRE', dying, ttl) end
local first = redis.call('ZRANGE', procs, 0, 0, 'WITHSCORES')
local nextEnd = -1
if first[2] then nextEnd = tonumber(first[2]) end
return {now, nextEnd, #due, pending}
`);

/**
 * KEYS: procs, dying. ARGV: process key prefix, count. Pops up to `count` users from dying and
 * answers `{users left in dying, ...popped users no live process holds}`: those went offline, and
 * this caller alone announces them.
 */
export const DRAIN_DYING = new LuaScript(`${PRELUDE}
local procs, dying = KEYS[1], KEYS[2]
local popped = redis.call('SPOP', dying, tonumber(ARGV[2]))
local out = {0}
if #popped == 0 then return out end
local held = heldIn(procSets({}, procs, ARGV[1], nil), popped)
out[1] = redis.call('SCARD', dying)
for _, user in ipairs(popped) do
  if not held[user] then out[#out + 1] = user end
end
return out
`);
