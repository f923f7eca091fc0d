"""Scoring held-out messages, regressions against the serving model, and the HTML/PNG report."""

from __future__ import annotations

import json
from pathlib import Path

from bot.lifecycle.evaluation import evaluate, score, write_summary
from bot.lifecycle.parsing import Prediction, label_of
from bot.lifecycle.report import write_report

PAIRS = [
    ("Wie kündige ich meine Lizenz?", "faq/terminate_software_license"),
    ("Kopie meines Vertrags", "faq/contract_copy"),
    ("Wann haben Sie geöffnet?", "ask_support_hours"),
    ("<script>alert(1)</script> Wetter morgen", "out_of_scope"),
]


def p(label: str, confidence: float = 0.9) -> Prediction:
    return Prediction("", label, confidence, "de")


def test_accuracy_regressions_and_fixes() -> None:
    new = [p("faq/terminate_maintenance_contract"), p("faq/contract_copy"), p("ask_support_hours"), p("nlu_fallback")]
    serving = [p("faq/terminate_software_license"), p("greet"), p("ask_support_hours"), p("out_of_scope")]
    result = score("de", PAIRS, new, serving)
    # The wrong FAQ topic is still the right intent (faq); the fallback counts as out_of_scope.
    assert (result.messages, result.intent_accuracy, result.faq_topic_accuracy) == (4, 100.0, 50.0)
    assert result.serving_intent_accuracy == 75.0
    assert [(r.text, r.serving, r.got) for r in result.regressions] == [
        ("Wie kündige ich meine Lizenz?", "faq/terminate_software_license", "faq/terminate_maintenance_contract")]
    assert [r.text for r in result.fixes] == ["Kopie meines Vertrags"]
    assert result.confusions == [("faq/terminate_software_license", "faq/terminate_maintenance_contract", 1,
                                  ["Wie kündige ich meine Lizenz?"])]


def test_label_of_uses_the_response_selector_for_faq() -> None:
    parse = {"intent": {"name": "faq", "confidence": 0.9},
             "response_selector": {"default": {"response": {"intent_response_key": "faq/contract_copy",
                                                            "confidence": 0.5}}}}
    assert label_of(parse) == ("faq/contract_copy", 0.45)
    fallback = {"intent": {"name": "nlu_fallback", "confidence": 0.5},
                "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "greet", "confidence": 0.3}]}
    assert label_of(fallback) == ("nlu_fallback", 0.3)


def test_report_files_escape_messages(tmp_path: Path) -> None:
    held_out = tmp_path / "held_out"
    held_out.mkdir()
    blocks = {}
    for text, intent in PAIRS:
        blocks.setdefault(intent, []).append(text)
    (held_out / "de.yml").write_text(json.dumps({"nlu": [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)} for intent, texts in blocks.items()]}),
        encoding="utf-8")
    answers = {"Kopie meines Vertrags": "faq/view_contracts", PAIRS[3][0]: "greet"}

    def parse(texts):  # type: ignore[no-untyped-def]
        return [p(answers.get(t, dict(PAIRS)[t])) for t in texts]

    results = evaluate(parse, parse, languages=["de"], held_out_dir=held_out)
    index = write_report(results, tmp_path / "report", "new.tar.gz", "serving.tar.gz")
    summary = json.loads(write_summary(results, tmp_path / "report", "new.tar.gz", "serving.tar.gz").read_text())
    assert summary["languages"]["de"] == {"messages": 4, "intent_accuracy": 75.0, "faq_topic_accuracy": 50.0,
                                          "regressions": 0}
    page = (tmp_path / "report" / "de.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "faq/view_contracts" in page and 'href="de.html"' in index.read_text(encoding="utf-8")
    assert (tmp_path / "report" / "confusion-de.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
