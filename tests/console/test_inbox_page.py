"""The unanswered-questions inbox page on a copy of the project: similar messages grouped with count, last
seen, examples and the NLU's intent, personal data masked, paginated; handled / dismissed / added as a
training example (written where `content check` accepts it); every decision audited."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from bot import content
from bot.db.engine import session_scope
from bot.editor.nlu_data import read_examples, training_examples
from bot.editor.tables import audit
from bot.events.tables import unanswered
from tests.console.conftest import Console

NOW = datetime.now(timezone.utc)
INVOICE = ["Factura mea 12345 pentru ion@firma.ro nu a sosit", "factura mea 999 pentru ana@exemplu.ro nu a sosit!",
           "FACTURA mea 4711 pentru a.b@c.ro nu a sosit"]
ADDRESS = ["Cum schimb adresa de facturare din contract", "cum schimb adresa de facturare din contract?"]


def add(console: Console, text: str, language: str = "ro", minutes_ago: int = 0, intent: str = "nlu_fallback",
        confidence: float = 0.31) -> None:
    with session_scope(console.database_url) as db:
        db.execute(unanswered.insert().values(
            event_key=uuid.uuid4().hex, conversation_id=f"c-{uuid.uuid4().hex[:8]}", language=language, country="RO",
            text=text, reason="fallback", intent=intent, confidence=confidence,
            asked_at=NOW - timedelta(minutes=minutes_ago)))


def group_id(body: str, example: str) -> str:
    section = next(s for s in body.split('<section class="panel group"')[1:] if example in s)
    found = re.search(r'id="group-([0-9a-f]+)"', section)
    assert found
    return found.group(1)


def statuses(console: Console, texts: list[str]) -> set[str]:
    with session_scope(console.database_url) as db:
        return set(db.execute(sa.select(unanswered.c.status).where(unanswered.c.text.in_(texts))).scalars())


def test_inbox_groups_masks_paginates_and_records_decisions(editor_console: Console, project: Path) -> None:
    for i, text in enumerate(INVOICE):
        add(editor_console, text, minutes_ago=i)
    for text in ADDRESS:
        add(editor_console, text, minutes_ago=30, intent="faq/contract_copy", confidence=0.42)
    words = ["alfa", "beta", "gama", "delta", "epsilon", "zeta", "eta", "teta", "iota", "kapa", "lambda", "miu",
             "niu", "ksi", "omicron", "pi", "ro", "sigma", "tau", "ipsilon", "fi", "hi", "psi", "omega"]
    for word in words:
        add(editor_console, f"O întrebare despre proiectul {word}", minutes_ago=60)
    add(editor_console, "¿Dónde está mi factura?", language="es")

    erika = editor_console.signed_in("erika")
    first = erika.get("/console/inbox?language=ro")
    assert first.status == 200 and "26 group(s)." in first.body and "Page 1 of 2" in first.body
    top = first.body.split('<section class="panel group"')[1]
    assert "ro · 3 message(s)" in top and "NLU: nlu_fallback (0.31)" in top
    assert "Factura mea [number] pentru [e-mail] nu a sosit" in top
    for personal in ("12345", "ion@firma.ro", "ana@exemplu.ro", "4711"):
        assert personal not in first.body
    second = erika.get("/console/inbox?language=ro&page=2").body
    assert second.count('<section class="panel group"') == 6 and "Page 2 of 2" in second
    assert "¿Dónde está mi factura?" in erika.get("/console/inbox?language=es").body

    invoice = group_id(first.body, "Factura mea [number]")
    form = {"csrf_token": erika.csrf, "language": "ro", "filter": "ro", "page": "1"}
    refused = erika.post(f"/console/inbox/{invoice}", {**form, "decision": "add", "intent": "faq/contract_copy",
                                                       "text": "Factura mea [number] nu a sosit"})
    assert "error=remove+personal+data" in refused.location
    assert statuses(editor_console, INVOICE) == {"open"}
    dismissed = erika.post(f"/console/inbox/{invoice}", {**form, "decision": "dismissed"})
    assert dismissed.status == 303 and "done=dismissed" in dismissed.location
    assert statuses(editor_console, INVOICE) == {"dismissed"}
    again = erika.post(f"/console/inbox/{invoice}", {**form, "decision": "handled"})
    assert "decided+already" in again.location

    address = group_id(first.body, "Cum schimb adresa de facturare")
    existing = training_examples(project / "data", "ro")[0]
    duplicate = erika.post(f"/console/inbox/{address}", {**form, "decision": "add", "intent": "faq/contract_copy",
                                                         "text": existing.text})
    assert "already+a+training+example" in duplicate.location
    held_out = read_examples(project / "tests" / "data" / "nlu" / "ro.yml")[0].text
    dishonest = erika.post(f"/console/inbox/{address}", {**form, "decision": "add", "intent": "faq/contract_copy",
                                                         "text": held_out})
    assert "held-out+evaluation+message" in dishonest.location
    added = erika.post(f"/console/inbox/{address}", {**form, "decision": "add", "intent": "faq/contract_copy",
                                                     "text": "Cum schimb  adresa de facturare din contract"})
    assert added.status == 303 and "done=add" in added.location
    assert statuses(editor_console, ADDRESS) == {"added"}
    examples = training_examples(project / "data", "ro")
    assert [(e.intent, e.language) for e in examples if e.text == "Cum schimb adresa de facturare din contract"
            ] == [("faq/contract_copy", "ro")]
    assert content.errors_only(content.check(project / "locales", project)) == []

    proiect = group_id(first.body, "proiectul alfa")
    assert erika.post(f"/console/inbox/{proiect}", {**form, "decision": "handled"}).status == 303
    with session_scope(editor_console.database_url) as db:
        actions = [(r.action, r.actor) for r in db.execute(sa.select(audit).where(audit.c.action.like("inbox_%"))
                                                           .order_by(audit.c.id))]
    assert actions == [("inbox_dismissed", "editor:erika"), ("inbox_added", "editor:erika"),
                       ("inbox_handled", "editor:erika")]
    assert "23 group(s)." in erika.get("/console/inbox?language=ro").body
