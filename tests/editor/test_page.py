"""Reading a saved FAQ page: navigation removed, questions and their answers kept."""

from __future__ import annotations

from pathlib import Path

from bot.editor.page import parse

PAGE = (Path(__file__).resolve().parents[1] / "data" / "pages" / "ro-RO.txt").read_text(encoding="utf-8")


def test_questions_and_answers_without_navigation() -> None:
    page = parse(PAGE)
    assert [e.question for e in page.entries] == [
        "Cum obțin o copie după contractul meu IBM?",
        "Ce fac dacă vreau să închei contractul de mentenanță?",
        "Cum renunț la o licență software cu plată lunară?",
    ]
    # The address block stays part of its answer; the menu after the last answer does not.
    assert page.entries[1].paragraphs[1].splitlines()[0] == "IBM Romania SRL"
    assert page.entries[2].answer.endswith("Preavizul este de 30 zile.")
    assert page.ignored_after is not None


def test_question_without_answer_is_kept() -> None:
    page = parse("Meniu\n\nHoe kan ik een kopie krijgen?\n\nHoe stop ik mijn contract?\n\nStuur een aanvraag online.\n")
    assert [(e.question, e.paragraphs) for e in page.entries] == [
        ("Hoe kan ik een kopie krijgen?", []),
        ("Hoe stop ik mijn contract?", ["Stuur een aanvraag online."]),
    ]


def test_section_heading_mid_page_does_not_end_the_faq() -> None:
    text = ("Wie kan ik bellen over mijn contract?\n\nBel ons op het nummer hieronder, van maandag tot vrijdag.\n\n"
            "Bestellingen\n\nWaar zie ik de status van mijn bestelling?\n\n"
            "In Passport Advantage Online ziet u de status van uw bestellingen van de laatste 30 dagen, of zoekt u "
            "een bestelling op met het bestelnummer.\n")
    assert [e.question for e in parse(text).entries] == [
        "Wie kan ik bellen over mijn contract?", "Waar zie ik de status van mijn bestelling?"]
