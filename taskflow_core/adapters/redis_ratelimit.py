"""Rate limits counted in Redis, shared by every server process.

The same GCRA as `ratelimit.gcra`, run atomically in one Lua script on Redis's own clock (the
processes' clocks need not agree). While Redis is unavailable each process counts in memory
instead: limits still hold per process (so N processes allow up to N budgets), and when Redis
is back the shared budgets take over again, without the requests counted in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from taskflow_core.adapters.ratelimit import MICROS, MemoryRateLimiter, RateLimitDecision
from taskflow_core.adapters.redis_guard import RedisUnavailable

if TYPE_CHECKING:
    from taskflow_core.adapters.redis_guard import RedisGuard
    from taskflow_core.settings import Rate

KEY_PREFIX = "tf:rl:"

# KEYS[1]: the budget; ARGV: limit, period in seconds, 1 to charge (0: only look). Times in
# microseconds (exact in a double for centuries). Returns {allowed, remaining, reset_after,
# retry_after}, integers.
GCRA_SCRIPT = """
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2]) * 1000000
local charge = ARGV[3] == '1'
local interval = period / limit
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local start = math.max(tat, now)
local new_tat = start + interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, 0, math.ceil(start - now), math.ceil(allow_at - now)}
end
local reset_after = new_tat - now
if charge then
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil(reset_after / 1000))
end
return {1, math.floor((period - reset_after) / interval), math.ceil(reset_after), 0}
"""


class RedisRateLimiter:
    """A `RateLimiter` whose budgets live in Redis, falling back to this process's memory."""

    def __init__(self, guard: RedisGuard, *, fallback: MemoryRateLimiter | None = None) -> None:
        """
        Args:
            guard: The process's guarded Redis client.
            fallback: Counts while Redis is unavailable; a `MemoryRateLimiter` by default.
        """
        self._guard = guard
        self._fallback = fallback or MemoryRateLimiter()
        # Registered once: calls send EVALSHA and load the script only if Redis lacks it.
        self._script = guard.client.register_script(GCRA_SCRIPT)

    async def hit(self, key: str, rate: Rate) -> RateLimitDecision:
        return await self._count(key, rate, charge=True)

    async def check(self, key: str, rate: Rate) -> RateLimitDecision:
        return await self._count(key, rate, charge=False)

    async def _count(self, key: str, rate: Rate, *, charge: bool) -> RateLimitDecision:
        try:
            reply = await self._guard.run(
                lambda client: self._script(
                    keys=[KEY_PREFIX + key],
                    args=[rate.limit, rate.period, 1 if charge else 0],
                    client=client,
                )
            )
        except RedisUnavailable:
            return self._fallback.count(key, rate, charge=charge)
        allowed, remaining, reset_after, retry_after = (int(part) for part in reply)
        return RateLimitDecision(
            allowed=bool(allowed),
            limit=rate.limit,
            remaining=max(0, remaining),
            reset_after=reset_after / MICROS,
            retry_after=retry_after / MICROS,
        )
