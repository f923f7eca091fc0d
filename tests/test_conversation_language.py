"""The conversation-language decision: metadata, explicit switches, confident switches, stickiness."""

from __future__ import annotations

from typing import Any

import pytest

from bot.language.conversation import LanguageState, decide
from bot.language.names import requested_language

DE = LanguageState("de", "DE", None)


def parse(language: str, scores: dict[str, float] | None = None, *, intent: str = "greet", text: str = "",
          has_language: bool = True, fits: dict[str, bool] | None = None, unsupported: str | None = None,
          word_languages: list[list[str]] | None = None) -> dict[str, Any]:
    scores = scores or {language: 0.99}
    if word_languages is None:  # by default one word only the detected language knows
        word_languages = [[language]]
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "language": language,
        "language_detection": {"language": language, "scores": scores, "has_language": has_language,
                               "fits": fits or {}, "unsupported_language": unsupported,
                               "word_languages": word_languages},
    }


def test_first_message_sets_language_and_country_follows_it() -> None:
    assert decide(None, parse("nl"), {}) == LanguageState("nl", "BE", None)
    assert decide(None, parse("ro"), {}) == LanguageState("ro", "RO", None)


def test_metadata_sets_language_and_country_at_start() -> None:
    assert decide(None, parse("de"), {"language": "nl", "country": "NL"}) == LanguageState("nl", "NL", "nl")
    assert decide(None, parse("de"), {"language": "nl-NL"}) == LanguageState("nl", "NL", "nl")


def test_unknown_country_falls_back_to_the_languages_default() -> None:
    assert decide(None, parse("nl"), {"language": "nl", "country": "FR"}) == LanguageState("nl", "BE", "nl")


def test_unsupported_metadata_language_is_ignored() -> None:
    assert decide(None, parse("es"), {"language": "fr"}) == LanguageState("es", "ES", None)


def test_picker_change_switches_the_conversation() -> None:
    current = LanguageState("de", "DE", "de")
    assert decide(current, parse("de"), {"language": "es"}) == LanguageState("es", "ES", "es")


def test_same_page_language_does_not_override_a_typed_switch() -> None:
    # The customer switched to Spanish by writing; the page still says "de" on every message.
    current = LanguageState("es", "ES", "de")
    assert decide(current, parse("de", {"de": 0.5, "es": 0.5}, has_language=False), {"language": "de"}) == current


@pytest.mark.parametrize("text", ["ok", "ServicePac?", "CT-20261234", "👍"])
def test_language_less_messages_never_switch(text: str) -> None:
    data = parse("nl", {"de": 0.25, "ro": 0.25, "nl": 0.25, "es": 0.25}, text=text, has_language=False)
    assert decide(DE, data, {}) == DE


def test_confident_other_language_switches_and_country_follows() -> None:
    data = parse("es", {"de": 0.01, "es": 0.98, "nl": 0.005, "ro": 0.005}, fits={"de": False, "es": True})
    assert decide(DE, data, {}) == LanguageState("es", "ES", None)


def test_unsure_message_does_not_switch() -> None:
    data = parse("nl", {"de": 0.3, "nl": 0.7}, fits={"de": False, "nl": True})
    assert decide(DE, data, {}) == DE


def test_message_that_is_also_valid_in_the_current_language_does_not_switch() -> None:
    # "Hallo" is German and Dutch: even a confident "nl" keeps a German conversation German.
    data = parse("nl", {"de": 0.03, "nl": 0.97}, text="Hallo", word_languages=[["de", "nl"]])
    assert decide(DE, data, {}) == DE


def test_unknown_words_such_as_names_do_not_switch() -> None:
    data = parse("nl", {"de": 0.02, "nl": 0.98}, text="Alex Doe", word_languages=[[], []])
    assert decide(DE, data, {}) == DE


def test_answers_to_form_questions_never_switch() -> None:
    data = parse("es", {"de": 0.01, "es": 0.99}, text="Hola Ltd")
    assert decide(DE, data, {}, in_form=True) == DE


def test_unsupported_language_does_not_switch() -> None:
    data = parse("nl", {"nl": 0.97, "de": 0.03}, unsupported="en", fits={"de": False})
    assert decide(DE, data, {}) == DE


def test_switch_request_names_the_target_language() -> None:
    data = parse("de", intent="switch_language", text="Können wir auf Spanisch weitermachen?")
    assert decide(DE, data, {}) == LanguageState("es", "ES", None)


def test_switch_keeps_the_country_when_the_language_stays() -> None:
    current = LanguageState("nl", "NL", None)
    data = parse("nl", intent="switch_language", text="graag in het Nederlands")
    assert decide(current, data, {}) == current


@pytest.mark.parametrize(
    "text, expected",
    [
        ("auf Spanisch bitte", "es"),
        ("in het Duits aub", "de"),
        ("vorbiti romana?", "ro"),
        ("¿podemos hablar en neerlandés?", "nl"),
        ("en español por favor", "es"),
        ("Deutsch", "de"),
        ("can we speak Dutch", "nl"),
        ("hallo", None),
        ("de acuerdo", None),  # "de" inside a sentence is not German
        ("Deutsch oder Spanisch?", None),  # ambiguous
    ],
)
def test_requested_language(text: str, expected: str | None) -> None:
    assert requested_language(text) == expected
