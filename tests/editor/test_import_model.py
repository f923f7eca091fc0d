"""The trained model maps the test page's questions to their topics (needs a model: TEST_MODEL or models/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.editor.importer import THRESHOLD, analyse
from bot.lifecycle.models import default_model

ROOT = Path(__file__).resolve().parents[2]


def _model() -> Path:
    model = Path(os.environ["TEST_MODEL"]) if os.environ.get("TEST_MODEL") else default_model()
    if model is None or not model.exists():
        pytest.skip("no trained model (set TEST_MODEL or run `python -m bot model train`)")
    return model


def test_page_questions_map_to_their_topics_with_confidence() -> None:
    from bot.lifecycle.parsing import ModelParser

    model = _model()
    page = (ROOT / "tests" / "data" / "pages" / "ro-RO.txt").read_text(encoding="utf-8")
    page = page.replace("\n\n\nIntrebari frecvente", "\n\nCât costă o pizza margherita în Cluj?\n\n"
                        "Nu este o întrebare despre contracte.\n\n\nIntrebari frecvente")
    report = analyse(page, "ro-RO", ModelParser(model).parse, model)
    mapped = [(q.label, q.confidence >= THRESHOLD) for q in report.questions[:3]]
    assert mapped == [("faq/contract_copy", True), ("faq/terminate_maintenance_contract", True),
                      ("faq/terminate_software_license", True)]
    assert report.questions[3].is_new and not report.questions[3].add
