"""Privacy: erase finds a person everywhere and leaves nothing of them; export and purge (retention)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import MetaData, select

from bot.db.engine import get_engine, session_scope
from bot.db.models import ServiceRequest
from bot.db.repository import NewRequest, change_status, file_request
from bot.privacy import registry
from bot.privacy.registry import ERASED, PrivacyConfig, Subject

DOMAIN = Domain.load("domain")
NAME, EMAIL, COMPANY = "Ștefan Ionescu", "Stefan.Ionescu@exemplu.ro", "Exemplu Soluții SRL"
CUSTOMER = "7654321"


def store(url: str) -> TrackerStore:
    return TrackerStore.create(EndpointConfig.from_dict({"type": "bot.tracker_store.UrlSQLTrackerStore", "url": url}),
                               DOMAIN)


def save_conversation(url: str, sender: str, events: list, at: float | None = None) -> None:
    tracker = DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)
    if at is not None:
        for event in tracker.events:
            event.timestamp = at
    asyncio.run(store(url).save(tracker))


def personal_conversation(url: str, sender: str) -> None:
    save_conversation(url, sender, [
        UserUttered("Aș dori o copie a contractului"), SlotSet("language", "ro"),
        UserUttered(COMPANY), SlotSet("company", COMPANY),
        UserUttered(NAME), SlotSet("contact_name", NAME),
        UserUttered(EMAIL), SlotSet("email", EMAIL.lower()),
        BotUttered(f"Rezumat: {COMPANY}, {NAME}, {EMAIL.lower()}"),
    ])


def file_personal_request(url: str, sender: str) -> str:
    new = NewRequest(conversation_id=sender, request_type="contract_copy", contract_number=CUSTOMER, company=COMPANY,
                     contact_name=NAME, email=EMAIL.lower(), details=f"Copie pentru {COMPANY}", language="ro",
                     country="RO", queue="contracts-ro")
    with session_scope(url) as session:
        request, _ = file_request(session, new)
        change_status(session, request, "in_progress", actor="agent-7")
        return str(request.reference)


def everything_stored(url: str) -> str:
    """Every row of every table, as one lower-case text."""
    engine = get_engine(url)
    metadata = MetaData()
    metadata.reflect(bind=engine)
    rows = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows += [" ".join(str(v) for v in row) for row in connection.execute(select(table))]
    return "\n".join(rows).lower()


def assert_nothing_of_the_person(text: str) -> None:
    for value in (NAME, EMAIL, COMPANY):
        for spelling in (value, json.dumps(value)[1:-1]):
            assert spelling.lower() not in text, spelling


@pytest.mark.parametrize("how", ["email", "conversation", "customer"])
def test_erase_leaves_nothing_of_the_person_in_any_table(db_url: str, how: str) -> None:
    sender, other = f"conv-{uuid.uuid4().hex[:8]}", f"conv-{uuid.uuid4().hex[:8]}"
    personal_conversation(db_url, sender)
    save_conversation(db_url, other, [UserUttered("Hallo"), SlotSet("language", "de")])
    reference = file_personal_request(db_url, sender)
    before = everything_stored(db_url)
    assert EMAIL.lower() in before and json.dumps(NAME)[1:-1].lower() in before

    erasers = registry.load_erasers(PrivacyConfig(database_url=db_url, tracker_store_url=db_url))
    subject = Subject.of(**{how: {"email": EMAIL, "conversation": sender, "customer": CUSTOMER}[how]})
    report = registry.erase(subject, erasers)

    assert sender in report.subject.conversations
    assert report.done["service requests"] == {"requests anonymised": 1}
    assert report.done["tracker store (conversations)"]["events deleted"] > 0
    assert_nothing_of_the_person(everything_stored(db_url))
    assert asyncio.run(store(db_url).retrieve(other)) is not None  # others' conversations stay
    with session_scope(db_url) as session:
        kept = session.execute(select(ServiceRequest).where(ServiceRequest.reference == reference)).scalar_one()
        assert (kept.request_type, kept.queue, kept.status, kept.country) == ("contract_copy", "contracts-ro",
                                                                              "in_progress", "RO")
        assert kept.email == ERASED and [c.new_status for c in kept.changes] == ["open", "in_progress"]
    again = registry.erase(subject, erasers)  # idempotent
    assert again.done["service requests"] == {"requests anonymised": 0}


def test_export_has_the_conversation_and_the_request(db_url: str) -> None:
    sender = f"conv-{uuid.uuid4().hex[:8]}"
    personal_conversation(db_url, sender)
    reference = file_personal_request(db_url, sender)
    erasers = registry.load_erasers(PrivacyConfig(database_url=db_url, tracker_store_url=db_url))
    exported = registry.export(Subject.of(email=EMAIL), erasers)
    json.dumps(exported, default=str)
    assert exported["subject"]["conversations"] == [sender]
    requests = exported["data"]["service requests"]
    assert requests[0]["service_request"]["reference"] == reference
    assert requests[0]["service_request"]["contact_name"] == NAME
    texts = [e["event"].get("text") for e in exported["data"]["tracker store (conversations)"]]
    assert EMAIL in texts


def test_purge_applies_the_retention_periods_and_is_idempotent(db_url: str) -> None:
    old, recent = f"old-{uuid.uuid4().hex[:8]}", f"new-{uuid.uuid4().hex[:8]}"
    save_conversation(db_url, old, [UserUttered(EMAIL)], at=time.time() - 100 * 86400)
    save_conversation(db_url, recent, [UserUttered("Hallo")])
    file_personal_request(db_url, old)
    config = PrivacyConfig(database_url=db_url, tracker_store_url=db_url, conversation_retention_days=90,
                           request_retention_days=30)
    erasers = registry.load_erasers(config)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=31)  # the request is past its 30 days then
    first = registry.purge(erasers, later)
    assert first["tracker store (conversations)"]["conversations deleted"] == 1
    assert first["service requests"] == {"requests anonymised": 1}
    assert asyncio.run(store(db_url).retrieve(recent)) is not None
    assert registry.purge(erasers, later) == {"tracker store (conversations)": {"conversations deleted": 0,
                                                                               "events deleted": 0},
                                              "service requests": {"requests anonymised": 0},
                                              "escalations": {"escalations anonymised": 0},
                                              "unanswered questions inbox": {"questions deleted": 0},
                                              "analytics": {"conversations pseudonymised": 0}}
    assert_nothing_of_the_person(everything_stored(db_url))


def test_retention_settings_are_read_and_checked() -> None:
    config = PrivacyConfig.from_env({"DATABASE_URL": "sqlite://", "TRACKER_STORE_URL": "sqlite://",
                                     "CONVERSATION_RETENTION_DAYS": "30"})
    assert (config.conversation_retention_days, config.request_retention_days) == (30, 730)
    with pytest.raises(ValueError):
        PrivacyConfig.from_env({"CONVERSATION_RETENTION_DAYS": "0"})


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_erase_on_sqlite_leaves_nothing_in_the_files_either(db_url: str) -> None:
    """Rows deleted or rewritten stay readable in SQLite's free pages and write-ahead log unless overwritten."""
    from pathlib import Path

    folder = Path(db_url.removeprefix("sqlite:///")).parent
    sender = f"conv-{uuid.uuid4().hex[:8]}"
    personal_conversation(db_url, sender)
    file_personal_request(db_url, sender)
    files = lambda: b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file()).lower()  # noqa: E731
    assert EMAIL.lower().encode() in files()

    erasers = registry.load_erasers(PrivacyConfig(database_url=db_url, tracker_store_url=db_url))
    registry.erase(Subject.of(email=EMAIL), erasers)

    raw = files()
    for value in (NAME, EMAIL, COMPANY):
        for spelling in (value, json.dumps(value)[1:-1]):
            assert spelling.lower().encode() not in raw, spelling


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_erase_whose_log_cannot_be_emptied_says_so_and_exits_non_zero(db_url: str, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot import cli

    def busy() -> None:
        raise RuntimeError("app.db: the write-ahead log could not be emptied; run the command again")

    monkeypatch.setattr(registry, "checkpoint_sqlite", busy)
    monkeypatch.setenv("TRACKER_STORE_URL", db_url)
    personal_conversation(db_url, "conv-busy")
    assert cli.main(["privacy", "erase", "--conversation", "conv-busy"]) == 1
    out = capsys.readouterr().out
    assert "events deleted" in out and "NOT DONE: app.db: the write-ahead log could not be emptied" in out
    assert asyncio.run(store(db_url).retrieve("conv-busy")) is None  # the tables are erased all the same
