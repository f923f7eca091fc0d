"""`content import`: a changed page (one phone number, one opening time, one new question) gives exactly
those changes; --apply writes only them, into that locale only, and the content check passes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Sequence

import pytest
import yaml

from bot import content
from bot.editor.apply import apply
from bot.editor.importer import analyse, render
from bot.editor.nlu_data import read_examples
from bot.lifecycle.parsing import Prediction
from bot.locales import load_locales

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "tests" / "data" / "pages" / "ro-RO.txt").read_text(encoding="utf-8")
NEW_QUESTION = "Pot primi contractul semnat și în format electronic?"
CHANGED = PAGE.replace("+40 (0) 21 405 8100", "+40 (0) 21 405 8200").replace("09:00-17:30", "09:00-18:00").replace(
    "\n\nCe fac dacă", f"\n\n{NEW_QUESTION}\n\nDa, cereți copia prin formularul online.\n\n\nCe fac dacă")
# What the model says about the page's questions (the real model is exercised in test_import_model.py).
TOPICS = {
    "Cum obțin o copie după contractul meu IBM?": ("faq/contract_copy", 0.97),
    "Ce fac dacă vreau să închei contractul de mentenanță?": ("faq/terminate_maintenance_contract", 0.95),
    "Cum renunț la o licență software cu plată lunară?": ("faq/terminate_software_license", 0.91),
    NEW_QUESTION: ("faq/contract_copy", 0.83),
}


def classify(texts: Sequence[str]) -> list[Prediction]:
    return [Prediction(t, *TOPICS.get(t, ("nlu_fallback", 0.2)), "ro") for t in texts]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("locales", "data", "domain", "actions"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def _analyse(project: Path, text: str, classifier=classify):  # type: ignore[no-untyped-def]
    return analyse(text, "ro-RO", classifier, Path("model.tar.gz"), project / "locales", project / "data")


def test_unchanged_page_has_no_fact_changes(project: Path) -> None:
    report = _analyse(project, PAGE)
    assert report.facts.changes == []
    assert {"support_phone", "support_hours", "fax", "postal_address", "license_admin_email"} <= set(
        report.facts.unchanged)


def test_exact_diff_of_a_changed_page(project: Path) -> None:
    report = _analyse(project, CHANGED)
    assert [(c.id, c.key, c.old, c.new, c.sentence) for c in report.facts.changes] == [
        ("F1", "support_hours", "09:00–17:30", "09:00–18:00",
         "Completați formularul online sau sunați Echipa de Suport Clienți la +40 (0) 21 405 8200, "
         "de luni până vineri, între orele 09:00-18:00."),
        ("F2", "support_phone", "+40 (0) 21 405 8100", "+40 (0) 21 405 8200",
         "Completați formularul online sau sunați Echipa de Suport Clienți la +40 (0) 21 405 8200, "
         "de luni până vineri, între orele 09:00-18:00."),
    ]
    assert [(q.id, q.label, q.add) for q in report.questions] == [
        ("Q1", "faq/contract_copy", True),
        ("Q2", "faq/contract_copy", True),
        ("Q3", "faq/terminate_maintenance_contract", True),
        ("Q4", "faq/terminate_software_license", True),
    ]
    assert report.questions[1].text == NEW_QUESTION
    assert report.topics_gone is None  # no import recorded the page's topics yet
    text = render(report)
    assert "F2 support_phone [phone]: '+40 (0) 21 405 8100' -> '+40 (0) 21 405 8200'" in text


def test_apply_writes_only_that_locale_and_the_accepted_questions(project: Path) -> None:
    before = {p: p.read_text(encoding="utf-8") for p in (project / "locales").glob("*/*.yml")}
    report = _analyse(project, CHANGED)
    result = apply(report, skip=["Q1", "Q3", "Q4"], locales_dir=project / "locales", root=project)
    assert result.problems == []
    locale_diff = result.diffs[project / "locales" / "ro-RO" / "locale.yml"]
    assert [line for line in locale_diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        '-  support_phone: "+40 (0) 21 405 8100"',
        '+  support_phone: "+40 (0) 21 405 8200"',
        '-    close: "17:30"',
        '+    close: "18:00"',
        "+page_topics:",
        "+  - faq/contract_copy",
        "+  - faq/terminate_maintenance_contract",
        "+  - faq/terminate_software_license",
    ]
    nlu_diff = result.diffs[project / "data" / "nlu" / "ro" / "faq.yml"]
    assert [line for line in nlu_diff.splitlines() if line[:1] == "+" and line[:3] != "+++"] == [
        f"+    - {NEW_QUESTION}"]
    changed = {p for p, text in before.items() if p.read_text(encoding="utf-8") != text}
    assert changed == {project / "locales" / "ro-RO" / "locale.yml"}
    assert content.errors_only(content.check(project / "locales", project)) == []
    # The new number reaches Romania's answers only.
    locales = load_locales(project / "locales")
    assert content.fact_values(locales["ro-RO"])["support_phone"] == "+40 (0) 21 405 8200"
    assert content.fact_values(locales["ro-RO"])["close_time"] == "18:00"
    assert all("8200" not in str(loc.facts) for code, loc in locales.items() if code != "ro-RO")
    # The answers Rasa is trained with (domain/responses.yml, one variation per locale) carry it for Romania only.
    target = content.write_domain_responses(project / "responses.yml", project / "locales")
    variations = [v for name, vs in yaml.safe_load(target.read_text(encoding="utf-8"))["responses"].items()
                  if name == "utter_faq/contract_copy" for v in vs]
    with_new = {(c["value"]) for v in variations if "405 8200" in v["text"] for c in v["condition"]}
    assert with_new == {"ro", "RO"} and not any("405 8100" in v["text"] for v in variations)
    # The page's topics are now recorded: a page without the licence question reports it gone.
    shorter = CHANGED.split("Cum renunț")[0]
    assert _analyse(project, shorter).topics_gone == ["faq/terminate_software_license"]


def test_questions_already_known_or_held_out_are_not_added(project: Path) -> None:
    held_out = read_examples(ROOT / "tests" / "data" / "nlu" / "ro.yml")
    leaked = next(e.text for e in held_out if "?" not in e.text and len(e.text.split()) > 3)
    training = "Cum mă înregistrez la Contracts OnLine?"
    page = f"Meniu\n\n{leaked}?\n\nRăspuns scurt la întrebare.\n\n{training}\n\nAlt răspuns scurt.\n"
    topics = {f"{leaked}?": ("faq/register_contracts_online", 0.9), training: ("faq/register_contracts_online", 0.99)}
    report = _analyse(project, page, lambda texts: [Prediction(t, *topics[t], "ro") for t in texts])
    assert [(q.add, q.note.split(":")[0]) for q in report.questions] == [
        (False, "equals a held-out evaluation message"), (False, "already a training example")]


def test_low_confidence_question_is_new(project: Path) -> None:
    report = _analyse(project, CHANGED, lambda texts: [Prediction(t, "faq/contract_copy", 0.3, "ro") for t in texts])
    assert all(q.is_new and not q.add for q in report.questions)
    assert report.topics_on_page == []


def test_question_that_is_another_topics_example_is_not_added(project: Path) -> None:
    training = "Cum mă înregistrez la Contracts OnLine?"
    page = f"Meniu\n\n{training}\n\nRăspuns scurt la întrebare.\n"
    report = _analyse(project, page, lambda texts: [Prediction(t, "faq/view_contracts", 0.9, "ro") for t in texts])
    assert not report.questions[0].add
    assert report.questions[0].note.startswith("already a training example of faq/register_contracts_online")


def test_a_value_for_an_empty_fact_fills_the_gap(project: Path) -> None:
    page = ("Kauf und Verlängerung\n\nWie erreiche ich den Support?\n\n"
            "Rufen Sie uns an unter +49 (0) 7034 15 4000, wir helfen gern weiter.\n")
    report = analyse(page, "de-DE", None, None, project / "locales", project / "data")
    assert [(c.key, c.old, c.new_value) for c in report.facts.changes] == [
        ("support_phone", None, "+49 (0) 7034 15 4000")]
    result = apply(report, locales_dir=project / "locales", root=project)
    assert result.problems == []
    german = load_locales(project / "locales")["de-DE"]
    assert german.facts["support_phone"] == "+49 (0) 7034 15 4000"
    assert "support_phone" not in [gap["fact"] for gap in german.gaps]
    assert "page_topics" not in (project / "locales" / "de-DE" / "locale.yml").read_text(encoding="utf-8")
