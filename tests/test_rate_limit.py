"""Rate limits of the channels (bot.rate_limit): windows, client addresses behind trusted proxies only."""

from __future__ import annotations

import pytest

from bot.rate_limit import ChannelLimits, Rate, SlidingWindowLimiter, client_address, parse_networks


def test_rate_parse_and_refuse_nonsense() -> None:
    assert Rate.parse("20/60") == Rate(20, 60.0)
    for bad in ("0/60", "5/0", "x"):
        with pytest.raises(ValueError):
            Rate.parse(bad)


def test_sliding_window_refuses_over_the_limit_and_recovers() -> None:
    limiter = SlidingWindowLimiter(Rate(3, 10))
    assert [limiter.allow("a", t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", 3)  # another key has its own window
    assert limiter.allow("a", 10.5)  # the first event left the window


def test_memory_is_bounded() -> None:
    limiter = SlidingWindowLimiter(Rate(1, 60), max_keys=100)
    for i in range(1000):
        limiter.allow(f"k{i}", 0)
    assert len(limiter._events) == 100


TRUSTED = parse_networks("10.0.0.0/8, 127.0.0.1")


def test_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    assert client_address("203.0.113.9", "1.2.3.4", TRUSTED) == "203.0.113.9"  # a client cannot pick its address
    assert client_address("10.0.0.5", "198.51.100.7", TRUSTED) == "198.51.100.7"
    # The client's own header value is left of the balancer's: the last untrusted hop counts.
    assert client_address("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9", TRUSTED) == "198.51.100.7"
    assert client_address("10.0.0.5", None, TRUSTED) == "10.0.0.5"
    assert client_address("10.0.0.5", "1.2.3.4", []) == "10.0.0.5"  # no trusted proxies configured


def test_channel_limits_per_conversation_and_per_client() -> None:
    limits = ChannelLimits.from_env({"RATE_LIMIT_CONVERSATION": "2/60", "RATE_LIMIT_CLIENT": "3/60"})
    assert [limits.allow("c1", "1.1.1.1", 0) for _ in range(3)] == [True, True, False]
    # New sender ids from the same address: the per-address limit still holds.
    assert limits.allow("c2", "1.1.1.1", 1) is True
    assert limits.allow("c3", "1.1.1.1", 1) is False
    assert limits.allow("c4", "2.2.2.2", 1) is True


def test_client_key_is_a_stable_pseudonym() -> None:
    limits = ChannelLimits.from_env({})
    key = limits.client_key("198.51.100.7")
    assert key == limits.client_key("198.51.100.7") and "198" not in key and len(key) == 24
    assert ChannelLimits.from_env({}).client_key("198.51.100.7") != key  # a new process, a new pseudonym
