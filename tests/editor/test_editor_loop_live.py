"""The editor's loop end to end in Debian's Chromium, through the console: import a changed Romanian FAQ
page, accept one fact change and reject another, retrain with a small configuration (config.yml cut to a
few epochs: the full model is never trained here), read the quality report with its confusion matrix,
publish, and get the new fact from the website chat.

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
from tests.chromium import CHROMIUM, SCREENSHOTS, wait_until
from tests.editor.project_copy import copy_project

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (make test installs it)")
EPOCHS = 5
PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "tests" / "data" / "pages" / "ro-RO.txt").read_text(encoding="utf-8")
CHANGED = PAGE.replace("+40 (0) 21 405 8100", "+40 (0) 21 405 8200").replace("09:00-17:30", "09:00-18:00")
QUESTION = "Cum pot obține o copie a contractului?"  # answered with ${support_phone} and ${close_time}


def wait_for_job(page, timeout: float) -> str:  # type: ignore[no-untyped-def]
    """The job page refreshes itself while the job runs; wait until its status is no longer `running`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = page.locator("#status").inner_text()
        if status != "running":
            return str(status)
        page.wait_for_timeout(5000)
        if page.locator("#status").count() == 0:  # between two refreshes
            page.wait_for_selector("#status")
    raise TimeoutError(f"{page.url} still running after {timeout:.0f} s")


def test_import_accept_train_evaluate_publish_answer(browser, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
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
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{servers.web}/console/import")
        page.fill("input[name=name]", "erika")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{servers.web}/console/import")

        # Import: the page's new phone number is accepted, its new closing time rejected.
        page.select_option("#locale", "ro-RO")
        page.fill("#page_text", CHANGED)
        page.click("#review")
        page.wait_for_selector("#fact-changes")
        rows = page.locator("#fact-changes tbody tr")
        assert rows.count() == 2, page.content()
        hours = page.locator("#fact-changes tr:has-text('support_hours') input[type=checkbox]")
        hours.uncheck()
        page.screenshot(path=str(SCREENSHOTS / "editor-import-review.png"), full_page=True)
        page.click("#apply")
        page.wait_for_selector("#applied")
        facts = yaml.safe_load((project / "locales/ro-RO/locale.yml").read_text("utf-8"))["facts"]
        assert facts["support_phone"] == "+40 (0) 21 405 8200" and facts["support_hours"]["close"] == "17:30"

        # Train, read the evaluation, publish.
        page.click("#to-training")
        page.click("#start-training")
        assert wait_for_job(page, 3600) == "succeeded", page.locator("#log").inner_text()[-3000:]
        page.wait_for_selector("#quality")
        images = page.locator("#quality img, img[src*='/report/']")
        assert images.count() >= 1
        wait_until(page, "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        page.screenshot(path=str(SCREENSHOTS / "editor-quality-report.png"), full_page=True)
        page.click("#publish")
        page.wait_for_selector("#status")
        assert wait_for_job(page, 1800) == "succeeded", page.locator("#log").inner_text()[-3000:]
        current = registry.current()
        assert current is not None and serving_model_id(servers.rasa, TOKEN) == model_id(current.model)

        # The website chat answers with the new number and the unchanged closing time, in Romania only.
        chat = context.new_page()
        chat.goto(f"{servers.web}/?lang=ro")
        chat.wait_for_selector(".sc-input", state="visible")
        wait_until(chat, "Object.keys(localStorage).some(k => k.endsWith(':session'))")
        before = chat.locator(".sc-bot").count()
        chat.fill(".sc-input", QUESTION)
        chat.press(".sc-input", "Enter")
        wait_until(chat, f"document.querySelectorAll('.sc-bot').length > {before}")
        chat.wait_for_timeout(500)
        answer = chat.evaluate("() => Array.from(document.querySelectorAll('.sc-bot')).map(b => b.textContent).join(' ')")
        assert "405 8200" in answer and "405 8100" not in answer and "17:30" in answer, answer
        context.close()
        with session_scope(servers.settings.database_url) as db:
            from bot.editor import audit as audit_log

            actions = {row["action"] for row in audit_log.recent(db, 100, 0)}
        assert {"import_page", "train_started", "train_succeeded", "publish_started", "publish_succeeded"} <= actions
    finally:
        servers.stop()
        models.shutdown()
