"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 accepts any length; a bound stops megabyte "passwords" from costing CPU


class WeakPassword(ValueError):
    """The password does not meet the policy; the message says why (`code` for translated pages)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@functools.lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so unknown names take as long as known ones."""
    return hasher().hash("dummy password that matches nothing")


def check_policy(password: str, name: str = "") -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters", "too_short")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password must have at most {MAX_LENGTH} characters", "too_long")
    if len(name) >= 4 and name.lower() in password.lower():
        raise WeakPassword("the password must not contain the account name", "contains_name")
    return password


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when the password matches; with no hash (unknown account) a dummy is verified and False returned."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: re-hash on the next sign-in."""
    return hasher().check_needs_rehash(password_hash)
