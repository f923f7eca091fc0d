"""The OtherQuestion pipeline component: a FAQ message that asks a second thing gets an `other_question`
entity naming the best other topic (the FAQ rule then offers it); one question, a weak second topic or a
message that is not a FAQ gets none, and the other entities are kept."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.other_question import ENTITY, OtherQuestion, asks_two_things, other_question


def parse(text: str, intent: str = "faq", hours: float = 0.25, second_faq: float = 0.05) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.7},
        "intent_ranking": [{"name": intent, "confidence": 0.7}, {"name": "ask_support_hours", "confidence": hours}],
        "response_selector": {"default": {
            "response": {"intent_response_key": "faq/contract_copy", "confidence": 0.9},
            "ranking": [{"intent_response_key": "faq/contract_copy", "confidence": 0.9},
                        {"intent_response_key": "faq/why_ibm_id", "confidence": second_faq}]}},
        "entities": [{"entity": "conversation_language", "value": "de"}],
    }


def processed(data: dict[str, Any]) -> Message:
    message = Message(data=dict(data))
    for key, value in data.items():
        message.set(key, value, add_to_output=True)
    return OtherQuestion().process([message])[0]


@pytest.mark.parametrize("text", [
    "Wie bekomme ich eine Vertragskopie? Und wann ist der Support erreichbar?",
    "Cum obțin o copie a contractului? Și când este deschis suportul?",
    "Hoe krijg ik een kopie van mijn contract en wanneer is de support bereikbaar?",
    "¿Cómo consigo una copia del contrato y cuándo atiende el soporte?",
])
def test_two_questions_are_recognised_in_every_language(text: str) -> None:
    assert asks_two_things(text)


@pytest.mark.parametrize("text", [
    "Wie bekomme ich eine Vertragskopie?",
    "Kopie und Verlängerung?",  # too short to be two questions joined by "und"
    "Ik wil een kopie van mijn contract en de bijlagen.",  # no question
    "",
])
def test_one_question_is_one_question(text: str) -> None:
    assert not asks_two_things(text)


def test_the_best_other_topic_is_named_whether_an_intent_or_a_faq_topic() -> None:
    two = "Wie bekomme ich eine Vertragskopie? Und wann ist der Support erreichbar?"
    assert other_question(parse(two)) == "ask_support_hours"
    # P(faq) x P(topic | faq) = 0.7 x 0.5 beats the support hours' 0.25.
    assert other_question(parse(two, second_faq=0.5)) == "faq/why_ibm_id"
    assert other_question(parse(two, hours=0.05)) is None  # nothing else is likely enough
    assert other_question(parse(two, intent="out_of_scope")) is None  # only after a FAQ answer


def test_the_component_adds_the_entity_and_keeps_the_others() -> None:
    message = processed(parse("Wie bekomme ich eine Vertragskopie? Und wann ist der Support erreichbar?"))
    assert message.get("entities") == [
        {"entity": "conversation_language", "value": "de"},
        {"entity": ENTITY, "value": "ask_support_hours", "extractor": "OtherQuestion"}]
    assert "entities" in message.as_dict(only_output_properties=True)


def test_one_question_gets_no_entity() -> None:
    message = processed(parse("Wie bekomme ich eine Vertragskopie?"))
    assert message.get("entities") == [{"entity": "conversation_language", "value": "de"}]
