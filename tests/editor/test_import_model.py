"""The serving model maps the test page's questions to their topics, as the console's import page asks it:
over Rasa's /model/parse, on the session's shared Rasa server (tests/conftest.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.console.editor_import import review
from bot.editor.importer import THRESHOLD
from bot.local_servers import MODEL, TOKEN, Servers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first")


def test_page_questions_map_to_their_topics_with_confidence(stack: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_URL", stack.rasa)
    monkeypatch.setenv("RASA_AUTH_TOKEN", TOKEN)
    page = (ROOT / "tests" / "data" / "pages" / "ro-RO.txt").read_text(encoding="utf-8")
    page = page.replace("\n\n\nIntrebari frecvente", "\n\nCât costă o pizza margherita în Cluj?\n\n"
                        "Nu este o întrebare despre contracte.\n\n\nIntrebari frecvente")
    report = asyncio.run(review("ro-RO", page))
    assert report.warnings == [] and report.model is not None and report.model.name.startswith("assistant-")
    mapped = [(q.label, q.confidence >= THRESHOLD) for q in report.questions[:3]]
    assert mapped == [("faq/contract_copy", True), ("faq/terminate_maintenance_contract", True),
                      ("faq/terminate_software_license", True)]
    assert report.questions[3].is_new and not report.questions[3].add
