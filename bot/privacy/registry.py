"""The erasers of every store holding personal data, and what erase/export/purge do with them.

A subject is found by conversation id, e-mail address or customer number. Every eraser first names the
conversations it links to the subject (a request's e-mail leads to its conversation, a conversation to its
requests), until no eraser finds more; then each one erases, exports or purges its own data.

To register a new store: write a class with the `Eraser` methods in its own module, taking a
`PrivacyConfig`, naming the tables it answers for, and add its dotted path to ERASERS. A table without
customer data goes to NOT_PERSONAL with the reason; tests/test_privacy_coverage.py fails on a table that is
in neither.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Protocol

from bot.db.engine import checkpoint_sqlite

ERASERS = [
    "bot.privacy.tracker:TrackerEraser",
    "bot.privacy.requests:RequestsEraser",
    "bot.privacy.escalations:EscalationsEraser",
    "bot.privacy.analytics:InboxEraser",
    "bot.privacy.analytics:AnalyticsEraser",
]
# Tables that hold nothing of a customer or conversation, and why.
NOT_PERSONAL = {
    "users": "the team's console accounts (staff, managed with `python -m bot users`)",
    "console_sessions": "the team's console sign-ins",
    "sign_in_failures": "failed console sign-ins (staff names and addresses), kept for throttling",
    "agent_presence": "which agents are online for which queues",
    "alembic_version": "the schema version",
    "processed_events": "SHA-256 keys of recorded events (idempotency of the event consumer), no content",
    "erased_conversations": "SHA-256 of erased conversation ids, so their late events are dropped; no content",
    "analytics_intent_counts": "a view of message counts per day, language, country and intent",
    "editor_audit": "what editors changed in the content and models; inbox decisions by group id and count, "
                    "never a customer's message",
    "editor_jobs": "the editors' training, publish and rollback jobs",
    "account_changes": "admins' changes to the team's console accounts (never a password or customer data)",
}
ERASED = "[erased]"  # what anonymised text columns hold afterwards


@dataclass(frozen=True)
class PrivacyConfig:
    database_url: str
    tracker_store_url: str
    conversation_retention_days: int = 90
    request_retention_days: int = 730

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PrivacyConfig:
        from bot.db.engine import database_url
        from bot.paths import VAR_DIR

        env = os.environ if env is None else env
        config = cls(
            database_url=env.get("DATABASE_URL") or database_url(),
            tracker_store_url=env.get("TRACKER_STORE_URL") or f"sqlite:///{VAR_DIR / 'tracker.db'}",
            conversation_retention_days=int(env.get("CONVERSATION_RETENTION_DAYS") or 90),
            request_retention_days=int(env.get("REQUEST_RETENTION_DAYS") or 730),
        )
        if min(config.conversation_retention_days, config.request_retention_days) < 1:
            raise ValueError("retention periods must be at least one day")
        return config


@dataclass(frozen=True)
class Subject:
    conversations: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()  # lower-case
    customer_numbers: frozenset[str] = frozenset()

    @classmethod
    def of(cls, conversation: str | None = None, email: str | None = None, customer: str | None = None) -> Subject:
        return cls(frozenset([conversation] if conversation else []),
                   frozenset([email.strip().lower()] if email else []),
                   frozenset([customer.strip()] if customer else []))


class Eraser(Protocol):
    name: str
    tables: tuple[str, ...]  # the tables (or views) whose customer data this eraser answers for

    def __init__(self, config: PrivacyConfig) -> None: ...

    def conversations(self, subject: Subject) -> set[str]:
        """Conversation ids this store links to the subject."""

    def erase(self, subject: Subject) -> dict[str, int]:
        """Removes or irreversibly anonymises the subject's data; counts of what it did."""

    def export(self, subject: Subject) -> list[dict[str, Any]]:
        """Everything this store holds about the subject, JSON-serialisable."""

    def purge(self, now: dt.datetime) -> dict[str, int]:
        """Removes what is older than the retention period; running it again does nothing more."""


def load_erasers(config: PrivacyConfig, paths: list[str] | None = None) -> list[Eraser]:
    erasers = []
    for path in paths or ERASERS:
        module, _, name = path.partition(":")
        erasers.append(getattr(importlib.import_module(module), name)(config))
    return erasers


def resolve(subject: Subject, erasers: list[Eraser], rounds: int = 5) -> Subject:
    """The subject with every conversation any store links to it."""
    for _ in range(rounds):
        found = set(subject.conversations)
        for eraser in erasers:
            found |= eraser.conversations(subject)
        if found == subject.conversations:
            break
        subject = replace(subject, conversations=frozenset(found))
    return subject


@dataclass
class Report:
    subject: Subject
    done: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"conversations: {', '.join(sorted(self.subject.conversations)) or 'none found'}"]
        for store, counts in self.done.items():
            lines.append(f"{store}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing"))
        return lines + [f"NOT DONE: {problem}" for problem in self.problems]


def erase(subject: Subject, erasers: list[Eraser]) -> Report:
    subject = resolve(subject, erasers)
    report = Report(subject, {eraser.name: eraser.erase(subject) for eraser in erasers})
    try:
        checkpoint_sqlite()
    except RuntimeError as error:  # the tables are erased; the log still holds old pages: say so, exit non-zero
        report.problems.append(str(error))
    return report


def export(subject: Subject, erasers: list[Eraser]) -> dict[str, Any]:
    subject = resolve(subject, erasers)
    return {"subject": {"conversations": sorted(subject.conversations), "emails": sorted(subject.emails),
                        "customer_numbers": sorted(subject.customer_numbers)},
            "data": {eraser.name: eraser.export(subject) for eraser in erasers}}


def purge(erasers: list[Eraser], now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    now = now or dt.datetime.now(dt.timezone.utc)
    done = {eraser.name: eraser.purge(now) for eraser in erasers}
    checkpoint_sqlite()
    return done
