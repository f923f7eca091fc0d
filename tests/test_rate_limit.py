"""Rate limits of the channels (bot.rate_limit): windows, client addresses behind trusted proxies only."""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.rate_limit import ChannelLimits, Rate, SlidingWindowLimiter, client_address, limiter, parse_networks


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
    # a 24-digit hex digest, never the dotted address (checking for "198" failed whenever the digest happened to
    # contain those digits, about once in 190 runs)
    assert key == limits.client_key("198.51.100.7") and len(key) == 24 and set(key) <= set("0123456789abcdef")
    assert ChannelLimits.from_env({}).client_key("198.51.100.7") != key  # a new process, a new pseudonym


REDIS = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL is not set (CI sets it to the local Redis)")


def two_servers(**settings: str) -> tuple[ChannelLimits, ChannelLimits]:
    """The channel limits of two Rasa servers of one deployment (REDIS_URL set, as in production)."""
    env = {"REDIS_URL": REDIS or "", "REQUEST_KEY_SECRET": "shared-secret-0123456789abcdef", **settings}
    return ChannelLimits.from_env(env), ChannelLimits.from_env(env)


@needs_redis
def test_servers_share_the_limits_through_redis() -> None:
    one, two = two_servers(RATE_LIMIT_CONVERSATION="2/60", RATE_LIMIT_CLIENT="3/60")
    run, address = uuid.uuid4().hex[:8], f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
    assert one.allow(f"c1-{run}", address) and two.allow(f"c1-{run}", address)
    assert not one.allow(f"c1-{run}", address)  # the conversation's third message, whichever server
    assert two.allow(f"c2-{run}", address)  # a new sender id: the client's third message
    assert not one.allow(f"c3-{run}", address)  # the client's fourth, on the other server
    assert one.client_key(address) == two.client_key(address)  # the actions see one pseudonym
    assert ChannelLimits.from_env({}).client_key(address) != one.client_key(address)


@needs_redis
def test_a_message_refused_by_one_limit_is_not_counted_by_the_other() -> None:
    one, _ = two_servers(RATE_LIMIT_CONVERSATION="1/60", RATE_LIMIT_CLIENT="2/60")
    run = uuid.uuid4().hex[:8]
    assert one.allow(f"c1-{run}", f"a-{run}")
    assert not one.allow(f"c1-{run}", f"a-{run}")  # conversation limit: not counted for the client
    assert one.allow(f"c2-{run}", f"a-{run}")  # so the client still has its second message


@needs_redis
def test_the_shared_window_slides() -> None:
    one, two = two_servers(RATE_LIMIT_CONVERSATION="2/1", RATE_LIMIT_CLIENT="100/60")
    run = uuid.uuid4().hex[:8]
    assert [s.allow(f"c-{run}", f"a-{run}") for s in (one, two, one)] == [True, True, False]
    time.sleep(1.1)
    assert two.allow(f"c-{run}", f"a-{run}")


@needs_redis
def test_shared_counting_is_atomic_under_concurrency() -> None:
    servers = two_servers(RATE_LIMIT_CONVERSATION="10/60", RATE_LIMIT_CLIENT="1000/60")
    run = uuid.uuid4().hex[:8]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda i: servers[i % 2].allow(f"c-{run}", f"a-{run}-{i}"), range(60)))
    assert results.count(True) == 10


@needs_redis
def test_quote_lookups_are_counted_across_workers() -> None:
    env = {"REDIS_URL": REDIS or ""}
    first, second = limiter("quote-lookups", Rate(2, 3600), env), limiter("quote-lookups", Rate(2, 3600), env)
    key = f"pseudonym-{uuid.uuid4().hex[:8]}"
    assert [first.allow(key), second.allow(key), first.allow(key)] == [True, True, False]


def test_unreachable_redis_lets_messages_through(caplog: pytest.LogCaptureFixture) -> None:
    from bot.local_servers import free_port

    limits = ChannelLimits.from_env({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                                     "RATE_LIMIT_CONVERSATION": "1/60"})
    started = time.monotonic()
    assert limits.allow("c1", "1.1.1.1") and limits.allow("c1", "1.1.1.1")
    assert time.monotonic() - started < 3
    assert "rate limits not applied: Redis unreachable" in caplog.text
