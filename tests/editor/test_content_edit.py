"""Editing one answer or fact: the content check's rules (a fact typed into a text, digits or words, is
refused), stale values are reported, and responses.yml changes only on the edited text's lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot import content
from bot.editor import content_edit
from bot.locales import load_locales

ROOT = Path(__file__).resolve().parents[2]
NAME = "utter_faq/contract_copy"


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    return tmp_path / "locales"


def edit(locales: Path, code: str, text: str, name: str = NAME) -> content_edit.Outcome:
    current = content_edit.faq_answers(load_locales(locales)[code])[name]
    return content_edit.edit_answer(code, name, text, content_edit.token(current), locales,
                                    locales.parent / "lock")


@pytest.mark.parametrize("code, text", [
    ("de-DE", "Die Kündigung muss dreißig Tage vorher eingehen."),
    ("ro-RO", "Trimiteți cererea cu treizeci de zile înainte."),
    ("nl-BE", "Opzeggen kan tot dertig dagen vooraf."),
    ("es-ES", "Debe avisar con treinta días de antelación."),
    ("ro-RO", "Trimiteți cererea cu 30 de zile înainte."),
])
def test_a_period_typed_into_an_answer_is_refused(locales: Path, code: str, text: str) -> None:
    before = (locales / code / "responses.yml").read_text("utf-8")
    outcome = edit(locales, code, text)
    assert not outcome.ok and any("literally" in e or "no fact of this locale" in e for e in outcome.errors)
    assert (locales / code / "responses.yml").read_text("utf-8") == before


def test_content_check_refuses_a_literal_fact_in_a_faq_answer(locales: Path) -> None:
    path = locales / "nl-BE" / "responses.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    text = data[NAME]["text"] if isinstance(data[NAME], dict) else data[NAME]
    path.write_text(path.read_text("utf-8").replace(text, text + " Bel +32 (0)2 339 23 45."), "utf-8")
    errors = [str(p) for p in content.errors_only(content.check(locales, ROOT))]
    assert any("nl-BE utter_faq/contract_copy: states \"+32 (0)2 339 23 45\" literally: write ${support_phone}"
               in e for e in errors), errors


@pytest.mark.parametrize("code", ["de-DE", "ro-RO", "nl-BE", "nl-NL", "es-ES"])
def test_only_the_edited_text_changes(locales: Path, code: str) -> None:
    path = locales / code / "responses.yml"
    before = path.read_text("utf-8")
    for name, text in list(content_edit.faq_answers(load_locales(locales)[code]).items())[:4]:  # plain and with buttons
        new = text + ' Mulțumim "și" \\ gata.'
        assert edit(locales, code, new, name).ok
        after = path.read_text("utf-8")
        changed = [line for line in after.splitlines() if line not in before.splitlines()]
        stored = yaml.safe_load(after)[name]
        assert len(changed) == 1 and (stored["text"] if isinstance(stored, dict) else stored) == new
        path.write_text(before, "utf-8")


def test_block_scalars_and_stale_values(locales: Path) -> None:
    source = ("a: 1\nutter_faq/x: |\n  line one\n  line two\n\nutter_faq/y:\n  text: >-\n    folded\n    text\n"
              "  buttons:\n  - {title: T, payload: /p}\n")
    once = content_edit.replace_text(source, "utter_faq/x", "new x")
    twice = content_edit.replace_text(once, "utter_faq/y", "new y")
    assert twice == 'a: 1\nutter_faq/x: "new x"\n\nutter_faq/y:\n  text: "new y"\n  buttons:\n  - {title: T, payload: /p}\n'
    outcome = content_edit.edit_answer("ro-RO", NAME, "Alt text.", "not-the-token", locales, locales.parent / "lock")
    assert outcome.stale and not outcome.ok
    assert outcome.current == content_edit.faq_answers(load_locales(locales)["ro-RO"])[NAME]


def test_fact_values_are_checked_by_kind(locales: Path) -> None:
    facts = content_edit.editable_facts(load_locales(locales)["ro-RO"].facts)
    lock = locales.parent / "lock"

    def fact(key: str, value: str) -> content_edit.Outcome:
        return content_edit.edit_fact("ro-RO", key, value, content_edit.token(facts[key]), locales, lock)

    assert fact("license_notice_days", "treizeci").errors == ["license_notice_days: a whole number"]
    assert fact("license_admin_email", "admin at ibm").errors == ["license_admin_email: an e-mail address"]
    assert fact("support_hours.close", "25:00").errors == ["support_hours.close: a time as HH:MM, e.g. 09:00"]
    assert fact("support_phone", "").errors[0].startswith("support_phone: a fact cannot be emptied")
    assert fact("license_notice_days", "60").ok
    assert yaml.safe_load((locales / "ro-RO" / "locale.yml").read_text("utf-8"))["facts"]["license_notice_days"] == 60
    assert content.errors_only(content.check(locales, ROOT)) == []
