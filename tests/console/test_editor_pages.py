"""Editor pages of the console, on a web server running from a copy of the project (edits change its
files): content per locale, validated edits, stale pages, changes against the published version, the
audit, one job at a time, the quality report and its publishing gate, rollback without a target."""

from __future__ import annotations

import io
import json
import re
import tarfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from bot.db.engine import session_scope
from bot.editor.tables import audit, jobs
from bot.lifecycle.registry import Registry
from tests.console.client import Client, Reply
from tests.console.conftest import Console

ANSWER = "utter_faq/contract_copy"
BASE = re.compile(r'name="base" value="([^"]*)"')


def stored_answer(project: Path, code: str = "ro-RO") -> str:
    entry = yaml.safe_load((project / "locales" / code / "responses.yml").read_text("utf-8"))[ANSWER]
    return str(entry["text"] if isinstance(entry, dict) else entry)


def save(client: Client, text: str, base: str, code: str = "ro-RO") -> Reply:
    return client.post(f"/console/content/{code}/answer", {"csrf_token": client.csrf, "name": ANSWER, "base": base,
                                                           "text": text})


def base_of(client: Client, code: str = "ro-RO", name: str = ANSWER) -> str:
    found = BASE.search(client.get(f"/console/content/{code}/answer?name={name}").body)
    assert found
    return found.group(1)


def fake_model(path: Path, identity: str) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        body = json.dumps({"model_id": identity}).encode()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return path


def test_agents_never_see_the_editor_pages(editor_console: Console) -> None:
    anna = editor_console.shared("anna")
    for path in ("/console/content", "/console/changes", "/console/training", "/console/inbox", "/console/audit"):
        assert anna.get(path).status == 403
    assert anna.post("/console/training", {"csrf_token": anna.csrf}).status == 403
    assert 'href="/console/content"' not in anna.get("/console/").body


def test_content_of_a_locale(editor_console: Console, project: Path) -> None:
    erika = editor_console.shared("erika")
    page = erika.get("/console/content?locale=nl-BE")
    assert page.status == 200
    assert ANSWER in page.body and "support_phone" in page.body and "+32 (0)2 339 23 45" in page.body
    assert erika.get("/console/content?locale=xx-XX").status == 404
    assert erika.get(f"/console/content/ro-RO/answer?name={ANSWER}").status == 200
    assert erika.get("/console/content/ro-RO/answer?name=utter_greet").status == 404  # FAQ answers only


def test_edit_is_saved_audited_and_shown_as_a_change(editor_console: Console, project: Path) -> None:
    registry = Registry(project / "var" / "versions")
    if registry.current() is None:
        version = registry.create(fake_model(project.parent / "v1.tar.gz", "model-v1"), {}, project / "locales")
        registry.set_current(version, "publish")
    erika = editor_console.signed_in("erika")
    before = stored_answer(project)
    other = (project / "locales" / "es-ES" / "responses.yml").read_text("utf-8")
    new = before + " Copia o primiți prin e-mail."
    reply = save(erika, new, base_of(erika))
    assert reply.status == 303 and reply.location.endswith("saved=utter_faq/contract_copy")
    assert stored_answer(project) == new
    assert (project / "locales" / "es-ES" / "responses.yml").read_text("utf-8") == other
    with session_scope(editor_console.database_url) as db:
        row = db.execute(sa.select(audit).where(audit.c.action == "edit_answer").order_by(audit.c.id.desc())
                         ).mappings().first()
        assert row["actor"] == "editor:erika" and row["locale"] == "ro-RO" and row["subject"] == ANSWER
        assert json.loads(row["detail"]) == {"old": before, "new": new}
    changes = erika.get("/console/changes").body
    section = changes.split('id="changes-ro-RO"')[1].split("</section>")[0]
    assert "Copia o primiți prin e-mail." in section and "published/ro-RO/responses.yml" in section
    assert "No changes." in changes.split('id="changes-es-ES"')[1].split("</section>")[0]
    assert "edit_answer" in erika.get("/console/audit").body


@pytest.mark.parametrize("text, message", [
    ("Sunați la +40 (0) 21 405 8100 pentru o copie.", "write ${support_phone}"),
    ("Copia vine în treizeci de zile.", "states &#34;treizeci de zile&#34; literally"),
    ("Copia vine în 45 de zile.", "no fact of this locale"),
    ("Scrieți-ne la ${no_such_fact}.", "has no value for"),
    ("Bună ziua {customer_name}, copia vine curând.", "not allowed [&#39;customer_name&#39;]"),
    ("<b>Copia</b> vine curând.", "contains markup"),
    ("Copia. " * 120, "chat answers stay under 700"),
    ("   ", "empty text"),
])
def test_invalid_answers_are_refused_with_the_reason(editor_console: Console, project: Path, text: str,
                                                     message: str) -> None:
    erika = editor_console.shared("erika")
    before = stored_answer(project)
    reply = save(erika, text, base_of(erika))
    assert reply.status == 422 and message in reply.body, reply.body[-2000:]
    assert stored_answer(project) == before


def test_a_stale_page_is_reported_not_overwritten(editor_console: Console, project: Path) -> None:
    erika, root = editor_console.signed_in("erika"), editor_console.signed_in("root")  # root is an admin
    base_erika, base_root = base_of(erika), base_of(root)
    first = stored_answer(project).split(" Notă:")[0] + " Notă: prima versiune."
    assert save(root, first, base_root).status == 303
    stale = save(erika, "Pentru o copie a contractului completați o cerere.", base_erika)
    assert stale.status == 409 and "changed by someone else" in stale.body and "editor:root" in stale.body
    assert "prima versiune" in stale.body and "completați o cerere" in stale.body  # both versions shown
    assert stored_answer(project) == first
    again = save(erika, "Pentru o copie a contractului completați o cerere.", BASE.search(stale.body).group(1))
    assert again.status == 303  # saved deliberately over the version now shown


def test_fact_edit_validated_and_audited(editor_console: Console, project: Path) -> None:
    erika = editor_console.shared("erika")
    form = erika.get("/console/content/nl-BE/fact?key=support_phone").body
    base = BASE.search(form).group(1)
    bad = erika.post("/console/content/nl-BE/fact", {"csrf_token": erika.csrf, "key": "support_phone",
                                                    "base": base, "value": "call us"})
    assert bad.status == 422 and "a phone number" in bad.body
    good = erika.post("/console/content/nl-BE/fact", {"csrf_token": erika.csrf, "key": "support_phone",
                                                     "base": base, "value": "+32 (0)2 339 23 46"})
    assert good.status == 303
    facts = yaml.safe_load((project / "locales/nl-BE/locale.yml").read_text("utf-8"))["facts"]
    assert facts["support_phone"] == "+32 (0)2 339 23 46"
    hours = erika.post("/console/content/nl-BE/fact", {
        "csrf_token": erika.csrf, "key": "support_hours.open", "value": "8 uur",
        "base": BASE.search(erika.get("/console/content/nl-BE/fact?key=support_hours.open").body).group(1)})
    assert hours.status == 422 and "HH:MM" in hours.body
    assert "edit_fact" in erika.get("/console/audit").body


def test_one_job_at_a_time_and_an_interrupted_one_ends(editor_console: Console) -> None:
    now = datetime.now(timezone.utc)
    with session_scope(editor_console.database_url) as db:
        job_id = db.execute(jobs.insert().values(
            kind="train", status="running", active=True, started_by="editor:root", started_at=now,
            heartbeat_at=now, step="training")).inserted_primary_key[0]
    erika = editor_console.shared("erika")
    busy = erika.post("/console/training", {"csrf_token": erika.csrf})
    assert busy.status == 409 and f"job {job_id}" in busy.body and "editor:root" in busy.body
    assert erika.post("/console/rollback", {"csrf_token": erika.csrf}).status == 409
    with session_scope(editor_console.database_url) as db:  # its web server went away: no more beats
        db.execute(jobs.update().where(jobs.c.id == job_id).values(heartbeat_at=now - timedelta(minutes=5)))
    overview = erika.get("/console/training").body
    assert 'id="running"' not in overview
    with session_scope(editor_console.database_url) as db:
        row = db.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().one()
        assert row["status"] == "failed" and row["active"] is None and "interrupted" in row["message"]


def finished_training(console: Console, project: Path, scores: dict[str, float]) -> int:
    now = datetime.now(timezone.utc)
    with session_scope(console.database_url) as db:
        job_id = int(db.execute(jobs.insert().values(
            kind="train", status="succeeded", active=None, started_by="editor:erika", started_at=now,
            heartbeat_at=now, finished_at=now, step="done", model="assistant-missing.tar.gz",
            message="trained")).inserted_primary_key[0])
    report = project / "var" / "editor" / "jobs" / str(job_id) / "report"
    report.mkdir(parents=True)
    languages = {lang: {"messages": 2, "intent_accuracy": score, "faq_topic_accuracy": score, "regressions": 1}
                 for lang, score in scores.items()}
    rows = {lang: [{"text": "Cum obțin o copie?", "expected": "faq/contract_copy", "got": "faq/view_contracts",
                    "confidence": 0.61, "serving": "faq/contract_copy"}] for lang in scores}
    (report / "summary.json").write_text(json.dumps({"model": "assistant-missing.tar.gz", "against": None,
                                                     "languages": languages, "rows": rows}), "utf-8")
    return job_id


def wait_done(client: Client, url: str) -> str:
    for _ in range(100):
        body = client.get(url).body
        if 'id="status">running<' not in body:
            return body
        time.sleep(0.2)
    raise TimeoutError(url)


def test_quality_report_gates_publishing(editor_console: Console, project: Path) -> None:
    erika = editor_console.shared("erika")
    weak = finished_training(editor_console, project, {"de": 97.0, "ro": 80.0, "nl": 96.0, "es": 95.0})
    page = erika.get(f"/console/training/jobs/{weak}").body
    assert 'id="quality"' in page and "ro: intent_accuracy 80.0% is below the floor 90%" in page
    assert 'id="publish"' not in page and "Cum obțin o copie?" in page  # a regression, side by side
    refused = erika.post(f"/console/training/jobs/{weak}/publish", {"csrf_token": erika.csrf})
    assert refused.status == 303
    result = wait_done(erika, refused.location)
    assert 'id="status">failed<' in result and "refused: ro: intent_accuracy 80.0%" in result

    good = finished_training(editor_console, project, {"de": 97.0, "ro": 97.0, "nl": 96.0, "es": 95.0})
    assert 'id="publish"' in erika.get(f"/console/training/jobs/{good}").body
    attempt = erika.post(f"/console/training/jobs/{good}/publish", {"csrf_token": erika.csrf})
    assert "is no longer in models/" in wait_done(erika, attempt.location)  # reported, nothing switched
    assert erika.get("/console/training/jobs/999999").status == 404
    assert erika.get(f"/console/training/jobs/{good}/report/..%2Fsummary.json").status == 404


def test_rollback_without_an_earlier_version_is_refused(editor_console: Console) -> None:
    erika = editor_console.shared("erika")
    reply = erika.post("/console/rollback", {"csrf_token": erika.csrf})
    assert reply.status == 303
    assert "no earlier published version" in wait_done(erika, reply.location)
    with session_scope(editor_console.database_url) as db:
        actions = set(db.execute(sa.select(audit.c.action)).scalars())
    assert {"rollback_started", "rollback_failed", "publish_failed"} <= actions
