"""Privacy across every store (SQLite and PostgreSQL): erase leaves nothing of the person and not even the
conversation id in any table, escalations, the inbox and analytics included; export has them; purge applies
the retention period to them; and every table of the app is either covered by an eraser or declared free of
customer data."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import SlotSet, UserUttered

from bot.db.engine import get_engine, session_scope
from bot.db.models import Base, RequestNote, ServiceRequest
from bot.events import tables
from bot.events.analytics import record
from bot.handoff.models import Escalation, EscalationEvent
from bot.handoff.service import create_escalation
from bot.privacy import registry
from bot.privacy.registry import ERASED, NOT_PERSONAL, PrivacyConfig, Subject
from bot.privacy.tracker import EVENTS
from tests.test_privacy import (
    COMPANY,
    CUSTOMER,
    EMAIL,
    NAME,
    assert_nothing_of_the_person,
    everything_stored,
    file_personal_request,
    personal_conversation,
    save_conversation,
)

# Column names that mean "this row belongs to a customer or a conversation".
PERSONAL_COLUMNS = {"conversation_id", "sender_id", "email", "customer_number", "contract_number", "contact_name",
                    "company", "text", "details", "last_customer_message"}


def user_event(sender: str, text: str, intent: str, ts: float, confidence: float = 0.9) -> bytes:
    return json.dumps({"sender_id": sender, "event": "user", "timestamp": ts, "text": text,
                       "parse_data": {"intent": {"name": intent, "confidence": confidence}},
                       "metadata": {"language": "ro", "country": "RO"}, "input_channel": "rest"}).encode()


def personal_everywhere(url: str, sender: str, at: float | None = None) -> None:
    """The person in every store: conversation, request with a team note, escalation, inbox, analytics."""
    at = at or time.time()
    personal_conversation(url, sender)
    reference = file_personal_request(url, sender)
    moment = dt.datetime.fromtimestamp(at, dt.timezone.utc)
    with session_scope(url) as session:
        request = session.execute(sa.select(ServiceRequest).where(ServiceRequest.reference == reference)).scalar_one()
        session.add(RequestNote(request_id=request.id, author="agent-7", text=f"{NAME} sună înapoi"))
        escalation = create_escalation(session, conversation_id=sender, language="ro", country="RO",
                                       queue="contracts-RO", reason="customer_request",
                                       last_message=f"Sunt {NAME}, {EMAIL}", now=moment)
        session.add(EscalationEvent(escalation_id=escalation.id, old_status="waiting", new_status="claimed",
                                    actor="agent:7", note=f"a sunat {COMPANY}", changed_at=moment))
        escalation.closed_at = moment
    with session_scope(url) as session:
        record(session, user_event(sender, f"factura pentru {EMAIL} la {COMPANY}?", "nlu_fallback", at))
    with session_scope(url) as session:
        record(session, user_event(sender, "vreau un om", "request_human", at + 1))


def count(url: str, table: sa.Table) -> int:
    with get_engine(url).connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize("how", ["email", "conversation", "customer"])
def test_erase_reaches_escalations_inbox_and_analytics(db_url: str, how: str) -> None:
    sender, other = f"conv-{uuid.uuid4().hex[:8]}", f"conv-{uuid.uuid4().hex[:8]}"
    personal_everywhere(db_url, sender)
    save_conversation(db_url, other, [UserUttered("Hallo"), SlotSet("language", "de")])
    with session_scope(db_url) as session:
        record(session, user_event(other, "Wie ist das Wetter?", "out_of_scope", time.time()))
    before = everything_stored(db_url)
    assert EMAIL.lower() in before and sender in before and f"sunt {NAME}".lower() in before

    erasers = registry.load_erasers(PrivacyConfig(database_url=db_url, tracker_store_url=db_url))
    subject = Subject.of(**{how: {"email": EMAIL, "conversation": sender, "customer": CUSTOMER}[how]})
    report = registry.erase(subject, erasers)

    assert report.done["escalations"] == {"escalations anonymised": 1}
    assert report.done["unanswered questions inbox"] == {"questions deleted": 1}
    assert report.done["analytics"] == {"conversations pseudonymised": 1}
    after = everything_stored(db_url)
    assert_nothing_of_the_person(after)
    assert sender not in after and "sună" not in after  # not even the conversation id, nor the team's note
    # the business facts stay: counts per language and intent, the escalation's queue and reason
    assert count(db_url, tables.messages) == 3 and count(db_url, tables.escalations) == 1
    with session_scope(db_url) as session:
        escalation = session.execute(sa.select(Escalation)).scalar_one()
        assert (escalation.queue, escalation.reason, escalation.language) == ("contracts-RO", "customer_request", "ro")
        assert escalation.last_customer_message is None
        assert [e.note for e in escalation.events] == ["customer_request", ERASED]
    with get_engine(db_url).connect() as connection:  # the other customer's question stays in the inbox
        assert connection.execute(sa.select(tables.unanswered.c.conversation_id)).scalars().all() == [other]
    again = registry.erase(subject, erasers)
    assert again.done["escalations"] == {"escalations anonymised": 0}
    assert again.done["analytics"] == {"conversations pseudonymised": 0}


def test_the_inbox_alone_links_an_email_to_its_conversation(db_url: str) -> None:
    """The tracker was purged already: the question in the inbox still names the e-mail."""
    sender = f"conv-{uuid.uuid4().hex[:8]}"
    with session_scope(db_url) as session:
        record(session, user_event(sender, f"scrieți-mi la {EMAIL}", "nlu_fallback", time.time()))
    erasers = registry.load_erasers(PrivacyConfig(database_url=db_url, tracker_store_url=db_url))
    report = registry.erase(Subject.of(email=EMAIL.upper()), erasers)
    assert report.subject.conversations == {sender}
    assert report.done["unanswered questions inbox"] == {"questions deleted": 1}
    assert report.done["analytics"] == {"conversations pseudonymised": 1}
    assert sender not in everything_stored(db_url)


def test_export_has_escalations_inbox_analytics_and_notes(db_url: str) -> None:
    sender = f"conv-{uuid.uuid4().hex[:8]}"
    personal_everywhere(db_url, sender)
    erasers = registry.load_erasers(PrivacyConfig(database_url=db_url, tracker_store_url=db_url))
    exported = registry.export(Subject.of(customer=CUSTOMER), erasers)
    text = json.dumps(exported, default=str, ensure_ascii=False)
    data = exported["data"]
    assert data["escalations"][0]["escalation"]["last_customer_message"] == f"Sunt {NAME}, {EMAIL}"
    assert [e["note"] for e in data["escalations"][0]["escalation"]["status_history"]] == \
        ["customer_request", f"a sunat {COMPANY}"]
    assert [r["unanswered_questions"]["reason"] for r in data["unanswered questions inbox"]] == ["fallback"]
    assert {next(iter(r)) for r in data["analytics"]} == {"analytics_conversations", "analytics_messages",
                                                         "analytics_escalations"}
    assert data["service requests"][0]["service_request"]["notes"][0]["text"] == f"{NAME} sună înapoi"
    assert EMAIL in text


def test_purge_applies_the_retention_period_to_escalations_inbox_and_analytics(db_url: str) -> None:
    old, recent = f"old-{uuid.uuid4().hex[:8]}", f"new-{uuid.uuid4().hex[:8]}"
    personal_everywhere(db_url, old, at=time.time() - 100 * 86400)
    with session_scope(db_url) as session:
        record(session, user_event(recent, "hmm?", "nlu_fallback", time.time()))
    erasers = registry.load_erasers(PrivacyConfig(database_url=db_url, tracker_store_url=db_url,
                                                  conversation_retention_days=90, request_retention_days=90))
    first = registry.purge(erasers)
    assert first["escalations"] == {"escalations anonymised": 1}
    assert first["unanswered questions inbox"] == {"questions deleted": 1}
    assert first["analytics"] == {"conversations pseudonymised": 1}
    second = registry.purge(erasers)
    assert second["escalations"] == {"escalations anonymised": 0}
    assert second["unanswered questions inbox"] == {"questions deleted": 0}
    assert second["analytics"] == {"conversations pseudonymised": 0}
    with get_engine(db_url).connect() as connection:
        ids = {table.name: set(connection.execute(sa.select(table.c.conversation_id)).scalars())
               for table in (tables.conversations, tables.messages, tables.unanswered, tables.escalations)}
        ids["escalations"] = set(connection.execute(sa.select(Escalation.conversation_id)).scalars())
    assert all(old not in found for found in ids.values()), ids
    assert recent in ids["unanswered_questions"] and recent in ids["analytics_messages"]  # recent ones stay


def app_tables(url: str) -> dict[str, set[str]]:
    """Every table of the app with its columns: the SQLAlchemy metadata of the models, of the analytics and
    of Rasa's tracker store, plus whatever the migrations created (a table that only a migration knows)."""
    found: dict[str, set[str]] = {}
    for metadata in (Base.metadata, tables.metadata, EVENTS.metadata):
        for table in metadata.tables.values():
            found.setdefault(table.name, set()).update(c.name for c in table.columns)
    inspector = sa.inspect(get_engine(url))
    for name in inspector.get_table_names():
        found.setdefault(name, set()).update(c["name"] for c in inspector.get_columns(name))
    return found


def uncovered(url: str, eraser_paths: list[str]) -> list[str]:
    erasers = registry.load_erasers(PrivacyConfig(database_url=url, tracker_store_url=url), eraser_paths)
    covered = {name for eraser in erasers for name in eraser.tables}
    return sorted(name for name in app_tables(url) if name not in covered and name not in NOT_PERSONAL)


def test_every_table_with_customer_data_has_an_eraser(db_url: str) -> None:
    assert uncovered(db_url, registry.ERASERS) == []
    tables_ = app_tables(db_url)
    for name, reason in NOT_PERSONAL.items():  # what is declared free of customer data really is
        assert not (tables_.get(name, set()) & PERSONAL_COLUMNS), (name, reason)
    # the check notices a missing eraser
    without = [path for path in registry.ERASERS if not path.endswith("EscalationsEraser")]
    assert uncovered(db_url, without) == ["escalation_events", "escalations"]


def test_an_event_that_waited_in_a_spool_during_the_erasure_is_not_recorded(db_url: str) -> None:
    """RabbitMQ was down while the person was erased: their last turn arrives afterwards and is dropped."""
    sender, other = f"conv-{uuid.uuid4().hex[:8]}", f"conv-{uuid.uuid4().hex[:8]}"
    with session_scope(db_url) as session:
        assert record(session, user_event(sender, "Cum obțin o copie?", "faq", time.time()))
    erasers = registry.load_erasers(PrivacyConfig(database_url=db_url, tracker_store_url=db_url))
    registry.erase(Subject.of(conversation=sender), erasers)
    late = user_event(sender, f"sunt {NAME}, scrieți-mi la {EMAIL}", "out_of_scope", time.time() + 1)
    with session_scope(db_url) as session:
        assert not record(session, late)
        assert record(session, user_event(other, "Wie ist das Wetter?", "out_of_scope", time.time()))
    stored = everything_stored(db_url)
    assert sender not in stored and EMAIL.lower() not in stored and other in stored
    with get_engine(db_url).connect() as connection:
        hashes = connection.execute(sa.select(tables.erased_conversations.c.conversation_hash)).scalars().all()
    assert hashes == [tables.conversation_hash(sender)]
    again = registry.erase(Subject.of(conversation=sender), erasers)  # erasing twice keeps one tombstone
    assert again.done["analytics"] == {"conversations pseudonymised": 0}
