"""Back-off and lock-out per (account, address), and the per-address limit, with an injected clock."""

from __future__ import annotations

import datetime as dt

from bot.console import throttle
from bot.db.engine import session_scope

POLICY = throttle.Policy()
T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)


def fail(db_url: str, times: int, name: str = "anna", address: str = "10.0.0.1", start: dt.datetime = T0,
         step: dt.timedelta = dt.timedelta(seconds=1)) -> dt.datetime:
    now = start
    with session_scope(db_url) as db:
        for _ in range(times):
            throttle.record_failure(db, name, address, POLICY, now=now)
            now += step
    return now - step


def wait(db_url: str, at: dt.datetime, name: str = "anna", address: str = "10.0.0.1") -> int:
    with session_scope(db_url) as db:
        return throttle.retry_after(db, name, address, POLICY, now=at)


def test_free_attempts_then_doubling_back_off(db_url: str) -> None:
    last = fail(db_url, 2)
    assert wait(db_url, last) == 0
    last = fail(db_url, 1, start=last + dt.timedelta(seconds=1))  # 3rd failure
    assert wait(db_url, last) == 1
    last = fail(db_url, 2, start=last + dt.timedelta(seconds=2))  # 5th failure
    assert wait(db_url, last) == 4
    assert wait(db_url, last + dt.timedelta(seconds=4)) == 0


def test_lock_out_is_per_account_and_address(db_url: str) -> None:
    last = fail(db_url, 10, step=dt.timedelta(seconds=70))
    assert wait(db_url, last + dt.timedelta(seconds=61)) > 13 * 60  # locked, not just backed off
    assert wait(db_url, last, address="10.9.9.9") == 0  # the agent at their own desk still signs in
    assert wait(db_url, last, name="pablo") == 0
    assert wait(db_url, last + POLICY.window) == 0  # the lock ends with the window


def test_unknown_names_are_throttled_like_known_ones(db_url: str) -> None:
    last = fail(db_url, 4, name="nobody-here")
    assert wait(db_url, last, name="nobody-here") == 2


def test_one_address_spraying_many_names_is_stopped(db_url: str) -> None:
    now = T0
    for index in range(POLICY.per_address):
        now = fail(db_url, 1, name=f"guess{index}", start=now + dt.timedelta(seconds=1))
    assert wait(db_url, now, name="anna") > 0
    assert wait(db_url, now, name="anna", address="10.0.0.2") == 0


def test_success_clears_the_pair(db_url: str) -> None:
    last = fail(db_url, 5)
    with session_scope(db_url) as db:
        throttle.clear(db, "anna", "10.0.0.1")
    assert wait(db_url, last) == 0
