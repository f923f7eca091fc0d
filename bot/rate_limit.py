"""Rate limits of the public channels: per conversation and per client address, in memory.

Settings (environment): RATE_LIMIT_CONVERSATION (default 20/60: 20 messages per 60 s per conversation),
RATE_LIMIT_CLIENT (default 60/60 per client address: an office behind one NAT has several customers) and
TRUSTED_PROXIES (comma-separated addresses or networks of the load balancers; empty by default). The client
address is the connection's peer; only when the peer is a trusted proxy does X-Forwarded-For count, read
from the right, skipping trusted hops, so a client cannot choose its own address by sending the header.

Where the counts live: with REDIS_URL set (production: several Rasa servers, several action-server
workers) in Redis, shared by all of them (bot/rate_limit_redis.py); otherwise in the process.

The address itself is never stored: the channel passes the actions only `client_key`, an HMAC of the
address, so the quote-lookup limit can follow a client that changes its sender id. Its key is made at
process start; with REDIS_URL it is derived from REQUEST_KEY_SECRET and the UTC date instead, so that every
server gives a client the same pseudonym, and a new one the next day.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Mapping, Protocol, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """"20/60" -> 20 per 60 seconds."""
        count, _, seconds = text.partition("/")
        rate = cls(int(count), float(seconds or 60))
        if rate.count < 1 or rate.seconds <= 0:
            raise ValueError(f"rate limit {text!r}: need a positive count and period, e.g. 20/60")
        return rate


@dataclass
class SlidingWindowLimiter:
    """At most rate.count events per rate.seconds per key; memory bounded by max_keys (oldest keys dropped)."""

    rate: Rate
    max_keys: int = 100_000
    _events: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, key: str, now: float | None = None, record: bool = True) -> bool:
        """Whether one more event is within the limit; records it (unless record=False) if so."""
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._events.pop(key, None) or deque()
            while window and window[0] <= now - self.rate.seconds:
                window.popleft()
            allowed = len(window) < self.rate.count
            if allowed and record:
                window.append(now)
            self._events[key] = window  # most recently used last
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
            return allowed


class Limiter(Protocol):
    rate: Rate

    def allow(self, key: str, now: float | None = None, record: bool = True) -> bool: ...


def limiter(name: str, rate: Rate, env: Mapping[str, str] | None = None) -> Limiter:
    """Counters shared through Redis when REDIS_URL is set, else in this process."""
    env = os.environ if env is None else env
    if env.get("REDIS_URL"):
        from bot.rate_limit_redis import RedisCounters, RedisWindowLimiter

        return RedisWindowLimiter(RedisCounters(env["REDIS_URL"]), name, rate)
    return SlidingWindowLimiter(rate)


def parse_networks(text: str) -> list[Network]:
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client's address: the peer's, or - behind a trusted proxy - the last untrusted X-Forwarded-For hop."""
    peer = (peer or "").strip() or "unknown"
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, trusted):
            return hop
    return peer


@dataclass
class ChannelLimits:
    conversation: Limiter
    client: Limiter
    trusted_proxies: list[Network]
    shared_secret: str | None = None  # REQUEST_KEY_SECRET when the servers share their counters
    _salt: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChannelLimits:
        env = os.environ if env is None else env
        shared = bool(env.get("REDIS_URL"))
        return cls(limiter("conversation", Rate.parse(env.get("RATE_LIMIT_CONVERSATION") or "20/60"), env),
                   limiter("client", Rate.parse(env.get("RATE_LIMIT_CLIENT") or "60/60"), env),
                   parse_networks(env.get("TRUSTED_PROXIES") or ""),
                   shared_secret=(env.get("REQUEST_KEY_SECRET") or None) if shared else None)

    def allow(self, conversation: str, client: str, now: float | None = None) -> bool:
        """Both limits hold for this message; it is counted only if it is let through."""
        from bot.rate_limit_redis import RedisWindowLimiter

        if isinstance(self.conversation, RedisWindowLimiter) and isinstance(self.client, RedisWindowLimiter):
            return self.client.counters.allow([(self.client.name, client, self.client.rate),
                                               (self.conversation.name, conversation, self.conversation.rate)], now)
        now = time.monotonic() if now is None else now
        if not (self.client.allow(client, now, record=False) and self.conversation.allow(conversation, now,
                                                                                          record=False)):
            return False
        self.client.allow(client, now)
        self.conversation.allow(conversation, now)
        return True

    def client_key(self, client: str) -> str:
        """A pseudonym of the address (never stored itself): the same on every server of a deployment for a
        day when they share a secret, else for the life of this process."""
        if self.shared_secret:
            day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
            salt = hmac.new(self.shared_secret.encode("utf-8"), f"client-key:{day}".encode(), hashlib.sha256).digest()
        else:
            salt = self._salt
        return hmac.new(salt, client.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


@lru_cache(maxsize=1)
def channel_limits() -> ChannelLimits:
    """The limits shared by every channel of this Rasa process (read from the environment once)."""
    return ChannelLimits.from_env()
