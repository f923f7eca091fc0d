"""Console accounts: create, list, disable, change password. Names are case-insensitive (stored lower-case)."""

from __future__ import annotations

import re
from typing import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.console.passwords import check_policy, hash_password
from bot.db.models import USER_ROLES, ConsoleSession, User

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
AREAS = ("contracts", "renewals")  # the routing of bot.requests.queue_for


class UserError(ValueError):
    """Invalid account data; the message says what is wrong (English, for the command line), `code` and
    `values` let the admin page say it in the admin's language (locales/console: admin.errors.<code>)."""

    def __init__(self, message: str, code: str = "invalid", **values: object) -> None:
        super().__init__(message)
        self.code, self.values = code, values


def known_countries() -> set[str]:
    from bot.locales import cached_locales

    return {locale.country for locale in cached_locales().values()}


def normalize_name(name: str) -> str:
    return name.strip().lower()


def parse_queues(text: str, countries: set[str] | None = None) -> list[str]:
    """"contracts-RO,renewals-es" -> ["contracts-RO", "renewals-ES"]; unknown areas or countries refused."""
    countries = known_countries() if countries is None else countries
    queues: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        area, _, country = part.partition("-")
        queue = f"{area.lower()}-{country.upper()}"
        if area.lower() not in AREAS or country.upper() not in countries:
            raise UserError(f"unknown queue {part!r}: use {'|'.join(AREAS)}-<country>, "
                            f"countries {', '.join(sorted(countries))}", "unknown_queue", queue=part)
        if queue not in queues:
            queues.append(queue)
    return queues


def find(session: Session, name: str) -> User | None:
    return session.execute(select(User).where(User.name == normalize_name(name))).scalar_one_or_none()


def check_role(role: str, queues: Sequence[str]) -> None:
    if role not in USER_ROLES:
        raise UserError(f"the role must be one of {', '.join(USER_ROLES)}", "role")
    if role == "agent" and not queues:
        raise UserError("an agent needs at least one queue (--queues contracts-RO,...)", "agent_needs_queue")


def check_language(language: str | None) -> str | None:
    from bot.console.i18n import LANGUAGES

    if language and language not in LANGUAGES:
        raise UserError(f"the console language must be one of {', '.join(LANGUAGES)}", "language")
    return language or None


def add(session: Session, name: str, password: str, role: str, queues: Sequence[str],
        display_name: str | None = None, language: str | None = None) -> User:
    name = normalize_name(name)
    if not _NAME.match(name):
        raise UserError("the name must be 2-80 characters: letters, digits, '.', '_' or '-'", "name")
    check_role(role, queues)
    if find(session, name) is not None:
        raise UserError(f"the account {name!r} exists already", "exists", name=name)
    check_policy(password, name)
    user = User(name=name, display_name=(display_name or name).strip()[:120], role=role, queues=list(queues),
                password_hash=hash_password(password), active=True, language=check_language(language))
    session.add(user)
    session.flush()
    return user


def all_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.name)).scalars())


def disable(session: Session, name: str) -> User:
    """Disabled accounts cannot sign in, and their open sessions end now."""
    user = _existing(session, name)
    user.active = False
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
    return user


def set_password(session: Session, name: str, password: str) -> User:
    """A new password also ends every session of the account (a stolen session dies with the old password)."""
    user = _existing(session, name)
    check_policy(password, user.name)
    user.password_hash = hash_password(password)
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
    return user


def _existing(session: Session, name: str) -> User:
    user = find(session, name)
    if user is None:
        raise UserError(f"no account named {normalize_name(name)!r}", "unknown", name=normalize_name(name))
    return user
