"""Rate limits of the public channels: per conversation and per client address, in memory.

Settings (environment): RATE_LIMIT_CONVERSATION (default 20/60: 20 messages per 60 s per conversation),
RATE_LIMIT_CLIENT (default 60/60 per client address: an office behind one NAT has several customers) and
TRUSTED_PROXIES (comma-separated addresses or networks of the load balancers; empty by default). The client
address is the connection's peer; only when the peer is a trusted proxy does X-Forwarded-For count, read
from the right, skipping trusted hops, so a client cannot choose its own address by sending the header.

The counts live in each Rasa process: with several Rasa servers behind a balancer each enforces its share
(a client's REST turns may spread across servers; socket.io connections are sticky). The address itself is
never stored: the channel passes the actions only `client_key`, an HMAC of the address with a key made at
process start, so the quote-lookup limit can follow a client that changes its sender id.
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
from functools import lru_cache
from typing import Mapping, Sequence

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
    conversation: SlidingWindowLimiter
    client: SlidingWindowLimiter
    trusted_proxies: list[Network]
    _salt: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChannelLimits:
        env = os.environ if env is None else env
        return cls(SlidingWindowLimiter(Rate.parse(env.get("RATE_LIMIT_CONVERSATION") or "20/60")),
                   SlidingWindowLimiter(Rate.parse(env.get("RATE_LIMIT_CLIENT") or "60/60")),
                   parse_networks(env.get("TRUSTED_PROXIES") or ""))

    def allow(self, conversation: str, client: str, now: float | None = None) -> bool:
        """Both limits hold for this message; it is counted only if it is let through."""
        now = time.monotonic() if now is None else now
        if not (self.client.allow(client, now, record=False) and self.conversation.allow(conversation, now,
                                                                                          record=False)):
            return False
        self.client.allow(client, now)
        self.conversation.allow(conversation, now)
        return True

    def client_key(self, client: str) -> str:
        """A pseudonym of the address, stable while this process runs; the address is never stored."""
        return hmac.new(self._salt, client.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


@lru_cache(maxsize=1)
def channel_limits() -> ChannelLimits:
    """The limits shared by every channel of this Rasa process (read from the environment once)."""
    return ChannelLimits.from_env()
