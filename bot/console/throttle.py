"""Failed sign-ins slow down and then stop further attempts, counted per (account name, client address):
someone guessing from elsewhere cannot lock an agent out. A per-address limit across all names stops one
address from spraying many accounts. Unknown names are counted exactly like existing ones, so the answers
tell nothing about which accounts exist."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.console.sessions import aware
from bot.db.models import SignInFailure, utcnow


@dataclass(frozen=True)
class Policy:
    window: dt.timedelta = dt.timedelta(minutes=15)
    free_attempts: int = 3  # failures before any waiting
    max_delay_s: int = 60  # back-off 1, 2, 4 ... s after the last failure, up to this
    lock_after: int = 10  # failures in the window that lock the pair for the rest of the window
    per_address: int = 50  # failures in the window from one address, whatever the names


def retry_after(session: Session, name: str, address: str, policy: Policy,
                now: dt.datetime | None = None) -> int:
    """Seconds until this pair may try again (0: now)."""
    now = now or utcnow()
    since = now - policy.window
    recent = (SignInFailure.address == address, SignInFailure.failed_at >= since)
    by_address = session.execute(select(func.count(), func.min(SignInFailure.failed_at)).where(*recent)).one()
    if by_address[0] >= policy.per_address:
        return _seconds(aware(by_address[1]) + policy.window - now)
    count, last = session.execute(select(func.count(), func.max(SignInFailure.failed_at))
                                  .where(SignInFailure.name == name, *recent)).one()
    if count >= policy.lock_after:
        return _seconds(aware(last) + policy.window - now)
    if count >= policy.free_attempts:
        delay = min(2 ** (count - policy.free_attempts), policy.max_delay_s)
        return _seconds(aware(last) + dt.timedelta(seconds=delay) - now)
    return 0


def record_failure(session: Session, name: str, address: str, policy: Policy,
                   now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    session.add(SignInFailure(name=name[:80], address=address[:64], failed_at=now))
    session.execute(delete(SignInFailure).where(SignInFailure.failed_at < now - 4 * policy.window))


def clear(session: Session, name: str, address: str) -> None:
    """A successful sign-in forgives this pair's failures (not the address's failures on other names)."""
    session.execute(delete(SignInFailure).where(SignInFailure.name == name, SignInFailure.address == address))


def _seconds(delta: dt.timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds()))
