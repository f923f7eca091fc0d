"""Sliding-window rate limits kept in Redis, so that every Rasa server (and every action-server worker)
behind the balancer counts the same messages: with counters per process a client whose REST turns are
spread over N servers would get N times its limit.

One sorted set per limited key (score = time of each counted event, in Redis's own clock, so the servers'
clocks do not matter), trimmed and counted by a Lua script that checks every limit of a message and counts
it in all of them only if all hold, atomically. Keys expire with their window.

If Redis cannot be reached the message is let through (and a warning logged, at most every 30 s): an
outage of the shared counters must not silence the assistant for every customer.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Sequence

import redis

from bot.rate_limit import Rate

logger = logging.getLogger(__name__)
TIMEOUT_S = 0.5
WARN_EVERY_S = 30.0
PREFIX = "supportassistant:ratelimit"

# KEYS: the sorted sets; ARGV[1]: 1 to count the event, 0 to only check; ARGV[2]: a unique member;
# ARGV[3]: now in ms, or "" for Redis's clock; then per key: limit, window in ms.
SCRIPT = """
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 + 2 * i])
  local window = tonumber(ARGV[3 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then return 0 end
end
if ARGV[1] == '1' then
  for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[2])
    redis.call('PEXPIRE', key, tonumber(ARGV[3 + 2 * i]))
  end
end
return 1
"""


class RedisCounters:
    """The shared counters; `allow` with one (name, key, rate) per limit that applies to one event."""

    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)
        self.prefix = prefix
        self._script = self.client.register_script(SCRIPT)
        self._warned_at = 0.0

    def allow(self, limits: Sequence[tuple[str, str, Rate]], now: float | None = None, record: bool = True) -> bool:
        """Whether every limit holds for one more event; counts it in all of them (unless record=False)."""
        keys = [f"{self.prefix}:{name}:{key}" for name, key, _ in limits]
        args: list[str | int] = ["1" if record else "0", uuid.uuid4().hex, "" if now is None else int(now * 1000)]
        for _, _, rate in limits:
            args += [rate.count, int(rate.seconds * 1000)]
        try:
            return bool(self._script(keys=keys, args=args))
        except redis.RedisError as exc:
            if time.monotonic() - self._warned_at > WARN_EVERY_S:
                self._warned_at = time.monotonic()
                logger.warning("rate limits not applied: Redis unreachable (%s)", exc)
            return True


class RedisWindowLimiter:
    """The SlidingWindowLimiter interface (one rate, any key) over the shared counters."""

    def __init__(self, counters: RedisCounters, name: str, rate: Rate) -> None:
        self.counters, self.name, self.rate = counters, name, rate

    def allow(self, key: str, now: float | None = None, record: bool = True) -> bool:
        return self.counters.allow([(self.name, key, self.rate)], now, record)
