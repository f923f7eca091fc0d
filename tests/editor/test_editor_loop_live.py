"""The editor's loop end to end, through the console: edit a Romanian FAQ answer, retrain with a small
configuration (config.yml cut to a few epochs: the full model is never trained here), read the quality
report, publish, and get the new answer from a running Rasa server.

Runs in a copy of the project. Rasa starts with no model and pulls the published version from the
project's model server (bot.lifecycle.model_server), as in production; nothing is published before the
console publishes, so the answer can only come from the version the editor published.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

from bot.lifecycle import model_server
from bot.lifecycle.publish import serving_model_id
from bot.lifecycle.registry import Registry, model_id
from bot.local_servers import TOKEN, Servers, free_port
from tests.console.client import Client
from tests.editor.project_copy import copy_project

EPOCHS = 5
PASSWORD = "correct horse battery staple"
ADDED = "Copia vă este trimisă prin e-mail de echipa noastră."
QUESTION = "Cum pot obține o copie a contractului?"
BASE = re.compile(r'name="base" value="([^"]*)"')


def wait_for_job(client: Client, job_url: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(job_url, timeout=60).body
        status = re.search(r'id="status">([a-z]+)<', body)
        if status and status.group(1) != "running":
            return body
        time.sleep(10)
    raise TimeoutError(f"{job_url} still running after {timeout:.0f} s")


def test_edit_retrain_publish_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path / "project")
    small = project / "config.small.yml"
    small.write_text(re.sub(r"epochs: \d+", f"epochs: {EPOCHS}", (project / "config.yml").read_text()), "utf-8")
    quality = project / "quality.test.yml"  # the loop is under test here, not a 5-epoch model's accuracy
    quality.write_text(yaml.safe_dump({
        "floors": {lang: {"intent_accuracy": 30, "faq_topic_accuracy": 30} for lang in ("de", "ro", "nl", "es")},
        "max_drop": 100.0, "smoke_min_correct": 0.5, "switch_timeout_s": 900}), "utf-8")
    registry = Registry(project / "var" / "versions")
    port, model_token = free_port(), "model-server-token-0123456789"
    models = model_server.start(port, registry, model_token)
    endpoints = project / "endpoints.yml"
    endpoints.write_text(endpoints.read_text(encoding="utf-8") + (
        f"\nmodels:\n  url: http://127.0.0.1:{port}/model\n  token: {model_token}\n  wait_time_between_pulls: 2\n"),
        encoding="utf-8")
    servers = Servers(f"sqlite:///{tmp_path / 'tracker.db'}", tmp_path, root=project,
                      model=project / "models" / "none-published-yet.tar.gz")
    for name, value in {"EDITOR_TRAIN_CONFIG": str(small), "QUALITY_FILE": str(quality),
                        "RASA_SERVERS": servers.rasa, "PUBLISHED_CONTENT": str(registry.folder / "published.json")
                        }.items():
        monkeypatch.setenv(name, value)
    try:
        servers.start(("actions", "rasa", "web"), timeout=900)
        from bot.console import users
        from bot.db.engine import session_scope

        with session_scope(servers.settings.database_url) as db:
            users.add(db, "erika", PASSWORD, "editor", [], display_name="Erika")
        erika = Client(servers.web)
        assert erika.sign_in("erika", PASSWORD).status == 303

        name = "utter_faq/contract_copy"
        form = erika.get(f"/console/content/ro-RO/answer?name={name}")
        old = yaml.safe_load((project / "locales/ro-RO/responses.yml").read_text("utf-8"))[name]["text"]
        saved = erika.post("/console/content/ro-RO/answer", {
            "csrf_token": erika.csrf, "name": name, "base": BASE.search(form.body).group(1), "text": f"{old} {ADDED}"})
        assert saved.status == 303, saved.body

        started = erika.post("/console/training", {"csrf_token": erika.csrf})
        assert started.status == 303, started.body
        trained = wait_for_job(erika, started.location, 3600)
        assert 'id="status">succeeded<' in trained, trained[-3000:]
        assert 'id="publish"' in trained  # the report passed the (test) floors
        job_id = started.location.rsplit("/", 1)[1]
        published = erika.post(f"/console/training/jobs/{job_id}/publish", {"csrf_token": erika.csrf})
        assert published.status == 303
        result = wait_for_job(erika, published.location, 1800)
        assert 'id="status">succeeded<' in result, result[-3000:]

        current = registry.current()
        assert current is not None and serving_model_id(servers.rasa, TOKEN) == model_id(current.model)
        replies = servers.say("editor-loop", QUESTION, {"language": "ro", "country": "RO"})
        assert any(ADDED in (r.get("text") or "") for r in replies), replies
        audit = erika.get("/console/audit").body
        for action in ("edit_answer", "train_started", "train_succeeded", "publish_started", "publish_succeeded"):
            assert action in audit
    finally:
        servers.stop()
        models.shutdown()
