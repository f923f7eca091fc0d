"""What an admin does to console accounts (the admin page): create, change queues/role/language, deactivate
and reactivate, reset a password - each change audited in `account_changes` (never a password).

The console always keeps an active admin: deactivating the last one, or giving them another role, is
refused. The check and the change are one conditional UPDATE (atomic on SQLite, which has one writer) after
locking the active admins' rows (PostgreSQL: a concurrent change of another admin waits, then re-reads), so
two admins deactivating each other at the same moment cannot both succeed.
"""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.console import users
from bot.console.passwords import check_policy, hash_password
from bot.db.models import AccountChange, ConsoleSession, User, utcnow

ADMIN = "admin"


def actor_of(admin: User) -> str:
    return f"admin:{admin.name}"


def audit(session: Session, user_id: int, actor: str, action: str, detail: str | None = None) -> None:
    session.add(AccountChange(user_id=user_id, actor=actor, action=action, detail=detail, changed_at=utcnow()))
    session.flush()


def history(session: Session, user_id: int) -> list[AccountChange]:
    return list(session.execute(select(AccountChange).where(AccountChange.user_id == user_id)
                                .order_by(AccountChange.id)).scalars())


def all_queues() -> list[str]:
    """Every queue an account can be given: each routing area in each country with content."""
    return [f"{area}-{country}" for area in users.AREAS for country in sorted(users.known_countries())]


def _same_password(password: str, repeated: str) -> None:
    if password != repeated:
        raise users.UserError("the two passwords differ", "passwords_differ")


def create(session: Session, admin: User, *, name: str, display_name: str, role: str, queues: Sequence[str],
           language: str | None, password: str, repeated: str) -> User:
    _same_password(password, repeated)
    user = users.add(session, name, password, role, queues, display_name=display_name or None, language=language)
    audit(session, user.id, actor_of(admin), "created", _describe(user))
    return user


def _describe(user: User) -> str:
    return f"role={user.role}; queues={','.join(user.queues or []) or '-'}; language={user.language or '-'}"


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise users.UserError(f"no account with id {user_id}", "unknown", name=str(user_id))
    return user


def _lock_active_admins(session: Session) -> None:
    """PostgreSQL: row locks on every active admin until the transaction ends (SQLite ignores FOR UPDATE)."""
    session.execute(select(User.id).where(User.role == ADMIN, User.active.is_(True)).with_for_update()).all()


def _keeping_an_admin(session: Session, user_id: int, values: dict[str, Any]) -> bool:
    """Applies `values` to the account unless it is an active admin and no other active admin exists."""
    _lock_active_admins(session)
    other, target = aliased(User), aliased(User)  # not correlated with the UPDATE's own row
    others = (select(func.count()).select_from(other)
              .where(other.role == ADMIN, other.active.is_(True), other.id != user_id).scalar_subquery())
    target_is_admin = (select(target.id).where(target.id == user_id, target.role == ADMIN,
                                               target.active.is_(True)).exists())
    result = session.execute(update(User).where(User.id == user_id, or_(~target_is_admin, others >= 1))
                             .values(**values).execution_options(synchronize_session=False))
    session.expire_all()
    return bool(result.rowcount == 1)


def update_account(session: Session, admin: User, user_id: int, *, display_name: str, role: str,
                   queues: Sequence[str], language: str | None) -> User:
    user = _get(session, user_id)
    users.check_role(role, queues)
    values = {"display_name": (display_name or user.name).strip()[:120], "role": role, "queues": list(queues),
              "language": users.check_language(language)}
    if role != ADMIN and not _keeping_an_admin(session, user_id, {"role": role}):
        raise users.UserError("the console needs at least one active admin", "last_admin")
    for key, value in values.items():
        setattr(user, key, value)
    session.flush()
    audit(session, user.id, actor_of(admin), "updated", _describe(user))
    return user


def deactivate(session: Session, admin: User, user_id: int) -> User:
    """Cannot sign in any more; their sessions end now. Never the last active admin."""
    user = _get(session, user_id)
    if not user.active:
        return user
    if not _keeping_an_admin(session, user_id, {"active": False}):
        raise users.UserError("the console needs at least one active admin", "last_admin")
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))
    audit(session, user_id, actor_of(admin), "deactivated")
    return _get(session, user_id)


def activate(session: Session, admin: User, user_id: int) -> User:
    user = _get(session, user_id)
    if not user.active:
        user.active = True
        session.flush()
        audit(session, user_id, actor_of(admin), "activated")
    return user


def reset_password(session: Session, admin: User, user_id: int, password: str, repeated: str) -> User:
    """A new password set by an admin (to hand over): the policy applies and every session of the account
    ends, as with `python -m bot users password`."""
    user = _get(session, user_id)
    _same_password(password, repeated)
    check_policy(password, user.name)
    user.password_hash = hash_password(password)
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))
    audit(session, user_id, actor_of(admin), "password_reset")
    return user


def active_admins(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(User)
                               .where(User.role == ADMIN, User.active.is_(True))).scalar_one())
