"""argon2id hashing, the password policy, and the dummy verification for unknown accounts."""

from __future__ import annotations

import time

import pytest

from bot.console.passwords import WeakPassword, check_policy, hash_password, needs_rehash, verify


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$")
    assert first != second  # a random salt per hash
    assert verify(first, "correct horse battery")
    assert not verify(first, "correct horse batterY")
    assert not needs_rehash(first)


def test_unknown_account_verifies_a_dummy_and_never_matches() -> None:
    known = hash_password("correct horse battery")
    verify(known, "warm-up")
    started = time.perf_counter()
    assert not verify(known, "wrong password here")
    known_s = time.perf_counter() - started
    started = time.perf_counter()
    assert not verify(None, "dummy password that matches nothing")  # even the dummy's own password
    unknown_s = time.perf_counter() - started
    assert unknown_s > known_s / 3  # a hash was computed, not an early return


def test_broken_hash_is_a_mismatch_not_an_error() -> None:
    assert not verify("not-a-hash", "whatever password")


@pytest.mark.parametrize("password, reason", [
    ("short", "at least 12"), ("x" * 257, "at most 256"), ("anna-is-my-password", "account name")])
def test_policy_refuses_weak_passwords(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword, match=reason):
        check_policy(password, "anna")
    assert check_policy("correct horse battery", "anna") == "correct horse battery"
