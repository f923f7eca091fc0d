"""Numbers written as words count as facts like digits: "dreißig Tage" is 30 days in every language."""

from __future__ import annotations

import pytest

from bot.editor.facts import extract
from bot.editor.number_words import number_before


@pytest.mark.parametrize("sentence, kind, value, display", [
    ("Die Kündigung muss dreißig Tage vorher eingehen.", "days", "30", "dreißig Tage"),
    ("Notificarea se trimite cu treizeci de zile înainte.", "days", "30", "treizeci de zile"),
    ("Opzeggen kan tot dertig dagen vooraf.", "days", "30", "dertig dagen"),
    ("Debe avisar con treinta días de antelación.", "days", "30", "treinta días"),
    ("Bitte einunddreißig Tage vorher kündigen.", "days", "31", "einunddreißig Tage"),
    ("Cu treizeci și unu de zile înainte.", "days", "31", "treizeci și unu de zile"),
    ("Opzeggen kan tot eenendertig dagen vooraf.", "days", "31", "eenendertig dagen"),
    ("Con treinta y un días de antelación.", "days", "31", "treinta y un días"),
    ("Die Laufzeit beträgt zwölf Monate.", "months", "12", "zwölf Monate"),
    ("Contractul durează doi ani.", "years", "2", "doi ani"),
    ("De looptijd is tweeëntwintig maanden.", "months", "22", "tweeëntwintig maanden"),
    ("El plazo es de ciento veinte días.", "days", "120", "ciento veinte días"),
    ("Termenul este de o sută de zile.", "days", "100", "o sută de zile"),
    ("Die Frist beträgt zweihundertfünfzig Tage.", "days", "250", "zweihundertfünfzig Tage"),
    ("Cu 30 de zile înainte.", "days", "30", "30 de zile"),
])
def test_spelled_out_periods_are_facts(sentence: str, kind: str, value: str, display: str) -> None:
    assert [(o.kind, o.value, o.display) for o in extract(sentence)] == [(kind, value, display)]


@pytest.mark.parametrize("sentence", [
    "Ein Monat ist schnell vorbei.",  # the article, not a number
    "Een maand later.", "Un mes después.", "O lună mai târziu.",
    "In allen Tagen gleich.", "Senden Sie es in den nächsten Tagen.", "Elke dag bereikbaar.",
])
def test_articles_and_ordinary_words_are_not_numbers(sentence: str) -> None:
    assert extract(sentence) == []


def test_number_ends_at_punctuation() -> None:
    text = "Wir haben drei, dann zwanzig Tage."
    assert number_before(text, text.index("Tage")) == (20, text.index("zwanzig"))
