"""The FollowUp pipeline component: a short follow-up on the previous answer that the classifiers call an
uncovered question becomes nlu_fallback (answered by action_clarify from the previous topic); anything
else passes unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.language.words import fold
from bot.nlu.follow_up import UNCOVERED, FollowUp, cue_words, follow_up_cue

DOMAIN = Domain.load("domain")


def parsed(text: str, intent: str = "faq", topic: str | None = UNCOVERED) -> Message:
    data: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.8}}
    if topic:
        data["response_selector"] = {"default": {"response": {"intent_response_key": topic, "confidence": 0.7}}}
    message = Message(data=data)
    for key in data:
        message.set(key, data[key], add_to_output=True)
    return message


def after(intent: str | None) -> DialogueStateTracker:
    events = [UserUttered("¿Cómo cancelo mi contrato de mantenimiento?", {"name": intent, "confidence": 0.9})] if intent else []
    return DialogueStateTracker.from_events("t", events, slots=DOMAIN.slots)


def outcome(text: str, previous: str | None, **kwargs: Any) -> tuple[str, Any]:
    message = FollowUp().process([parsed(text, **kwargs)], after(previous))[0]
    return message.get("intent")["name"], message.get("follow_up")


@pytest.mark.parametrize("text", ["y el fax?", "und das Fax?", "en het faxnummer?", "și numărul de fax?"])
def test_fax_after_an_answer_is_a_follow_up(text: str) -> None:
    assert outcome(text, "faq") == ("nlu_fallback", {"cue": "fax", "previous_intent": "faq", "was": UNCOVERED})


def test_weekend_follows_the_hours_only() -> None:
    assert outcome("und am Wochenende?", "ask_support_hours")[0] == "nlu_fallback"
    assert outcome("und am Wochenende?", "faq")[0] == "faq"


def test_country_after_an_answer() -> None:
    assert outcome("en voor België?", "faq")[1] == {"cue": "country", "previous_intent": "faq", "was": UNCOVERED}


@pytest.mark.parametrize(("text", "previous", "kwargs"), [
    ("y el fax?", None, {}),  # the first message of a conversation follows nothing
    ("y el fax?", "greet", {}),  # a greeting is no answer to follow up
    ("¿Me pueden enviar por fax una copia firmada del contrato de mantenimiento?", "faq", {}),  # a question
    ("y el fax?", "faq", {"topic": "faq/contract_copy"}),  # the classifiers found a topic: left alone
    ("y el fax?", "faq", {"intent": "out_of_scope", "topic": None}),  # action_out_of_scope handles follow-ups
    ("¿y el precio?", "faq", {}),  # no cue: an uncovered question indeed
])
def test_everything_else_passes_unchanged(text: str, previous: str | None, kwargs: dict[str, Any]) -> None:
    intent, follow_up = outcome(text, previous, **kwargs)
    assert intent == kwargs.get("intent", "faq") and follow_up is None


def test_pure_cue_function_has_a_word_limit() -> None:
    cues = (("fax",), ("weekend",), ("belgie",))
    assert follow_up_cue("and the fax?", "faq", cues) == "fax"
    assert follow_up_cue("one two three four five fax", "faq", cues) is None


@pytest.mark.parametrize(("text", "cue"), [
    ("Und die Fax-Nummer?", "fax"),  # a hyphen splits words: "fax" is named
    ("¿y el FAX?", "fax"),  # case and Spanish marks
    ("en voor België?", "country"),  # diacritics folded on both sides
    ("și pentru Spania?", "country"),
    ("und samstags?", "weekend"),
])
def test_locale_cues_match_whatever_the_punctuation_and_diacritics(text: str, cue: str) -> None:
    assert follow_up_cue(text, "ask_support_hours") == cue


def test_cue_words_are_the_locales_words_folded_like_messages() -> None:
    fax, weekend, countries = cue_words()
    assert {"fax", "faxnummer"} <= set(fax) and "samstag" in weekend
    assert "belgie" in countries and "belgië" not in countries
    assert all(word == fold(word) for group in (fax, weekend, countries) for word in group)
