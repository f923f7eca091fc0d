"""The editor's import page: a changed Romanian page gives exactly its changes, each accepted or rejected
on its own; a review made stale by another change applies nothing; bad input gets a clear answer; with
Rasa down the facts are still compared. The web server runs from a copy of the project (it writes files)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from bot.db.engine import session_scope
from bot.editor.tables import audit
from tests.console.client import Client, Reply
from tests.console.conftest import Console

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "tests" / "data" / "pages" / "ro-RO.txt").read_text(encoding="utf-8")
NEW_QUESTION = "Pot primi contractul semnat și în format electronic?"
CHANGED = PAGE.replace("+40 (0) 21 405 8100", "+40 (0) 21 405 8200").replace("09:00-17:30", "09:00-18:00").replace(
    "\n\nCe fac dacă", f"\n\n{NEW_QUESTION}\n\nDa, cereți copia prin formularul online.\n\n\nCe fac dacă")
TOPICS = {"Cum obțin o copie după contractul meu IBM?": ("faq/contract_copy", 0.97),
          "Ce fac dacă vreau să închei contractul de mentenanță?": ("faq/terminate_maintenance_contract", 0.95),
          "Cum renunț la o licență software cu plată lunară?": ("faq/terminate_software_license", 0.91),
          NEW_QUESTION: ("faq/contract_copy", 0.83)}
REVIEWED = re.compile(r'name="reviewed" value="([^"]*)"')


def rasa_parse(topic: str, confidence: float) -> dict:
    """Rasa 3.6's parse result for a FAQ question (ResponseSelector without a retrieval_intent: key `default`)."""
    return {"intent": {"name": "faq", "confidence": 1.0},
            "response_selector": {"default": {"response": {"intent_response_key": topic, "confidence": confidence},
                                              "ranking": [{"intent_response_key": topic, "confidence": confidence}]}}}


@pytest.fixture(autouse=True)
def rasa_knows_the_page(editor_console: Console) -> None:
    editor_console.rasa.down = False
    editor_console.rasa.parses.update({text: rasa_parse(*topic) for text, topic in TOPICS.items()})


def review(client: Client, text: str, locale: str = "ro-RO") -> Reply:
    client.get("/console/import")
    return client.post("/console/import", {"csrf_token": client.csrf, "locale": locale, "page_text": text})


def apply(client: Client, reviewed: Reply, accept: list[str], text: str = CHANGED) -> Reply:
    found = REVIEWED.search(reviewed.body)
    assert found, reviewed.body
    return client.post("/console/import/apply", {"csrf_token": client.csrf, "locale": "ro-RO", "page_text": text,
                                                 "reviewed": found.group(1), "accept": accept})


def locale_yml(project: Path) -> dict:
    return yaml.safe_load((project / "locales" / "ro-RO" / "locale.yml").read_text(encoding="utf-8"))


def test_review_shows_each_change_with_its_own_checkbox(editor_console: Console, project: Path) -> None:
    before = (project / "locales" / "ro-RO" / "locale.yml").read_text(encoding="utf-8")
    reply = review(editor_console.shared("erika"), CHANGED)
    assert reply.status == 200, reply.body
    boxes = re.findall(r'name="accept" value="(\w+)" checked', reply.body)
    assert boxes == ["F1", "F2", "Q1", "Q2", "Q3", "Q4"]
    row = re.search(r'<tr id="change-F2">(.*?)</tr>', reply.body, re.S)
    assert row and "support_phone" in row.group(1) and "+40 (0) 21 405 8100" in row.group(1)
    assert "<strong>+40 (0) 21 405 8200</strong>" in row.group(1)
    assert NEW_QUESTION in reply.body and "faq/contract_copy · 83 %" in reply.body
    assert (project / "locales" / "ro-RO" / "locale.yml").read_text(encoding="utf-8") == before  # review only


def test_apply_takes_the_accepted_changes_only(editor_console: Console, project: Path) -> None:
    client = editor_console.shared("erika")
    nlu = project / "data" / "nlu" / "ro" / "faq.yml"
    reviewed = review(client, CHANGED)
    done = apply(client, reviewed, ["F2", "Q2"])  # the new phone number and the new question; not the hours
    assert done.status == 200, done.body
    assert 'id="applied"' in done.body and "F2, Q2" in done.body
    facts = locale_yml(project)["facts"]
    assert facts["support_phone"] == "+40 (0) 21 405 8200"
    assert facts["support_hours"]["close"] == "17:30"  # rejected
    assert nlu.read_text(encoding="utf-8").count(NEW_QUESTION) == 1
    assert "Cum obțin o copie după contractul meu IBM?" not in nlu.read_text(encoding="utf-8")  # Q1 rejected
    assert (project / "domain" / "responses.yml").read_text(encoding="utf-8").count("405 8200") >= 1
    with session_scope(editor_console.database_url) as db:
        row = db.execute(sa.select(audit).where(audit.c.action == "import_page")).mappings().one()
    assert row["actor"] == "editor:erika" and row["locale"] == "ro-RO"
    assert yaml.safe_load(row["detail"]) == {"accepted": ["F2", "Q2"], "rejected": ["F1", "Q1", "Q3", "Q4"]}
    # The same page again: only what was rejected is still proposed.
    again = review(client, CHANGED)
    assert re.findall(r'name="accept" value="(\w+)" checked', again.body) == ["F1", "Q1", "Q3", "Q4"]


def test_a_review_made_stale_applies_nothing(editor_console: Console, project: Path) -> None:
    client = editor_console.shared("erika")
    page = CHANGED.replace("09:00-18:00", "08:30-18:00")
    first = review(client, page)
    other = review(editor_console.signed_in("root", "10.0.0.9"), page)
    assert apply(editor_console.signed_in("root", "10.0.0.9"), other, ["F1"], page).status == 200
    before = (project / "locales" / "ro-RO" / "locale.yml").read_text(encoding="utf-8")
    stale = apply(client, first, ["F1"], page)
    assert stale.status == 409 and 'id="stale"' in stale.body
    assert (project / "locales" / "ro-RO" / "locale.yml").read_text(encoding="utf-8") == before
    assert "F1" not in re.findall(r'name="accept" value="(\w+)"', stale.body)  # fresh review: hours already applied


@pytest.mark.parametrize(("form", "error"), [
    ({"locale": "ro-RO", "page_text": "   \n"}, "import-error"),
    ({"locale": "xx-XX", "page_text": "Întrebare?\n\nRăspuns."}, "import-error"),
    ({"locale": "ro-RO", "page_text": "x" * 40_001}, "import-error"),
])
def test_bad_input_gets_a_localized_answer(editor_console: Console, form: dict, error: str) -> None:
    client = editor_console.shared("erika")
    client.get("/console/import")
    reply = client.post("/console/import", {"csrf_token": client.csrf, **form}, headers={"Accept-Language": "es"})
    assert reply.status == 422 and f'id="{error}"' in reply.body


def test_upload_that_is_not_text(editor_console: Console) -> None:
    client = editor_console.signed_in("erika", "10.0.0.7")
    client.get("/console/import")
    boundary = uuid.uuid4().hex
    body = b"".join([
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{client.csrf}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="locale"\r\n\r\nro-RO\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="page_file"; filename="page.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode() + "Întrebare?".encode("utf-16") + b"\r\n",
        f"--{boundary}--\r\n".encode()])
    reply = client.request("POST", "/console/import", raw=body,
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert reply.status == 422 and "UTF-8" in reply.body


def test_uploaded_page_is_reviewed(editor_console: Console) -> None:
    client = editor_console.signed_in("erika", "10.0.0.8")
    client.get("/console/import")
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{client.csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="locale"\r\n\r\nro-RO\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="page_file"; filename="page.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n{CHANGED}\r\n--{boundary}--\r\n").encode()
    reply = client.request("POST", "/console/import", raw=body,
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert reply.status == 200 and NEW_QUESTION in reply.body


def test_rasa_down_still_compares_facts(editor_console: Console) -> None:
    editor_console.rasa.down = True
    reply = review(editor_console.shared("erika"), CHANGED.replace("405 8200", "405 8300"))
    assert reply.status == 200
    assert "could not be reached" in reply.body
    assert "405 8300" in reply.body and "Q2" not in re.findall(r'name="accept" value="(\w+)"', reply.body)


def test_agents_and_forged_posts_are_refused(editor_console: Console, project: Path) -> None:
    agent = editor_console.shared("anna")
    assert agent.get("/console/import").status in (302, 303, 403)
    before = (project / "locales" / "ro-RO" / "locale.yml").read_text(encoding="utf-8")
    editor = editor_console.shared("erika")
    reviewed = review(editor, CHANGED.replace("405 8200", "405 8400"))
    found = REVIEWED.search(reviewed.body)
    assert found
    forged = editor.post("/console/import/apply", {"locale": "ro-RO", "page_text": CHANGED, "reviewed": found.group(1),
                                                   "accept": ["F2"]})  # no CSRF token
    assert forged.status == 403
    assert (project / "locales" / "ro-RO" / "locale.yml").read_text(encoding="utf-8") == before


def test_browser_line_endings_are_not_a_change(editor_console: Console) -> None:
    """Browsers send a textarea's lines with CRLF: the apply must see the page the review saw."""
    client = editor_console.shared("erika")
    page = CHANGED.replace("405 8200", "405 8500")
    reviewed = review(client, page)
    done = apply(client, reviewed, [], page.replace("\n", "\r\n"))
    assert done.status == 200 and 'id="applied"' in done.body
