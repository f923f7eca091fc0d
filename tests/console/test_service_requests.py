"""Service requests of the agent's queues in the console: list, detail as text, take, note, status change
with its audit, other queues refused; plus the repository functions on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import RequestStatusChange, ServiceRequest
from bot.db.repository import NewRequest, add_note, change_status, file_request, requests_of_queues, take_request
from tests.console.conftest import Console

XSS = "<img src=x onerror=alert(1)>"


def new_request(queue: str = "contracts-RO", details: str = "Am nevoie de o copie.") -> NewRequest:
    return NewRequest(conversation_id=uuid.uuid4().hex, request_type="contract_copy", contract_number="CT-20261234",
                      company="Firma SRL", contact_name="Ion Popescu", email="ion@firma.ro", details=details,
                      language="ro", country=queue[-2:], queue=queue)


def file(database_url: str, new: NewRequest) -> int:
    with session_scope(database_url) as db:
        request, _ = file_request(db, new)
        return int(request.id)


def test_statuses_take_and_notes_are_audited(db_url: str) -> None:
    with session_scope(db_url) as db:
        request, _ = file_request(db, new_request())
        take_request(db, request, "anna", "agent:anna")
        assert request.status == "in_progress" and request.assignee == "anna"
        assert not change_status(db, request, "in_progress", "agent:anna")  # no change, no audit row
        assert change_status(db, request, "waiting_for_customer", "agent:anna")
        assert change_status(db, request, "done", "agent:anna")
        with pytest.raises(ValueError):
            change_status(db, request, "closed", "agent:anna")
        add_note(db, request, "anna", "Called, copy sent.")
        file_request(db, new_request("contracts-ES"))
    with session_scope(db_url) as db:
        changes = db.execute(select(RequestStatusChange).order_by(RequestStatusChange.id)).scalars().all()
        assert [(c.old_status, c.new_status) for c in changes if c.request.queue == "contracts-RO"] == [
            (None, "open"), ("open", "in_progress"), ("in_progress", "waiting_for_customer"),
            ("waiting_for_customer", "done")]
        assert [r.queue for r in requests_of_queues(db, ["contracts-RO"])] == ["contracts-RO"]
        assert requests_of_queues(db, ["contracts-RO"], "open") == []
        assert requests_of_queues(db, []) == []


def test_the_database_refuses_an_unknown_status(db_url: str) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), session_scope(db_url) as db:
        request, _ = file_request(db, new_request())
        request.status = "archived"  # bypassing change_status: the check constraint still refuses it
        db.flush()


def test_agent_works_a_request_of_their_queue(console: Console) -> None:
    request_id = file(console.database_url, new_request(details=XSS))
    anna = console.signed_in("anna")
    listing = anna.get("/console/requests")
    assert listing.status == 200 and f'href="/console/requests/{request_id}"' in listing.body
    assert "Contract copy" in listing.body and ">contract_copy<" not in listing.body  # the type's name, not its code
    spanish = anna.get(f"/console/requests/{request_id}", headers={"Accept-Language": "es"}).body
    assert "Copia de contrato" in spanish
    detail = anna.get(f"/console/requests/{request_id}")
    assert XSS not in detail.body and "&lt;img src=x onerror=alert(1)&gt;" in detail.body  # text, not markup
    csrf = {"csrf_token": anna.csrf}
    assert anna.post(f"/console/requests/{request_id}/take", csrf).status == 303
    assert anna.post(f"/console/requests/{request_id}/notes", {**csrf, "text": "Sunat clientul"}).status == 303
    assert anna.post(f"/console/requests/{request_id}/status", {**csrf, "status": "waiting_for_customer"}
                     ).status == 303
    assert anna.post(f"/console/requests/{request_id}/status", {**csrf, "status": "bogus"}).location.endswith(
        "?error=status")
    assert anna.post(f"/console/requests/{request_id}/notes", {**csrf, "text": " "}).location.endswith("?error=note")
    with session_scope(console.database_url) as db:
        request = db.get(ServiceRequest, request_id)
        assert request.status == "waiting_for_customer" and request.assignee == "anna"
        assert [n.text for n in request.notes] == ["Sunat clientul"]
        assert [(c.new_status, c.actor) for c in request.changes] == [
            ("open", "assistant"), ("in_progress", "agent:anna"), ("waiting_for_customer", "agent:anna")]
    history = anna.get(f"/console/requests/{request_id}").body
    assert re.search(r"in progress → waiting for customer · agent:anna", history)
    filtered = anna.get("/console/requests?status=open").body
    assert f'href="/console/requests/{request_id}"' not in filtered


def test_requests_of_other_queues_are_not_found(console: Console) -> None:
    request_id = file(console.database_url, new_request("contracts-ES"))
    anna = console.signed_in("anna")
    assert f'href="/console/requests/{request_id}"' not in anna.get("/console/requests").body
    assert anna.get(f"/console/requests/{request_id}").status == 404
    assert anna.post(f"/console/requests/{request_id}/status", {"csrf_token": anna.csrf, "status": "done"}
                     ).status == 404
    with session_scope(console.database_url) as db:
        assert db.get(ServiceRequest, request_id).status == "open"
    assert console.signed_in("pablo").get(f"/console/requests/{request_id}").status == 200


def test_status_change_from_the_conversation_view(console: Console) -> None:
    new = new_request("renewals-RO")
    request_id = file(console.database_url, new)
    escalation = console.escalate(new.conversation_id, "contracts-RO")
    ioana = console.signed_in("ioana")  # contracts-RO only: sees the renewals request through the escalation
    assert ioana.get(f"/console/requests/{request_id}").status == 200
    view = ioana.get(f"/console/conversations/{escalation}")
    assert f'action="/console/requests/{request_id}/status"' in view.body
    reply = ioana.post(f"/console/requests/{request_id}/status", {
        "csrf_token": ioana.csrf, "status": "done", "back": f"/console/conversations/{escalation}"})
    assert reply.status == 303 and reply.location == f"/console/conversations/{escalation}"
    assert ioana.post(f"/console/requests/{request_id}/status", {
        "csrf_token": ioana.csrf, "status": "open", "back": "https://evil.example/"}).location == (
        f"/console/requests/{request_id}")
    with session_scope(console.database_url) as db:
        assert [c.new_status for c in db.get(ServiceRequest, request_id).changes] == ["open", "done", "open"]
