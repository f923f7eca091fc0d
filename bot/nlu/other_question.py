"""Rasa NLU component: a FAQ message that asks a second thing carries that thing as an `other_question` entity.

"Wie bekomme ich eine Vertragskopie? Und wann ist der Support erreichbar?" gets one answer (the classifiers
pick one topic); the other topic is then offered as a button by action_offer_other_question. Deciding here,
in the Rasa process, whether there is a second question lets the FAQ rule run that action only when there is
one (a rule conditioned on the entity): a single-question FAQ turn, the commonest turn of all, no longer pays
an action-server round trip and a third policy prediction for an action that says nothing.

The entity's value is the second topic: a `faq/<topic>` key or one of OTHER_TOPIC_INTENTS.
"""

from __future__ import annotations

import re
from typing import Any, List, Mapping

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.language.words import contains, fold, word_list
from bot.lifecycle.parsing import selected_topic, topic_scores
from bot.nlu.component import ConfiguredComponent

ENTITY = "other_question"
# A second topic is offered when the NLU gives it at least this share of the message.
SECOND_TOPIC_CONFIDENCE = 0.12
OTHER_TOPIC_INTENTS = ("ask_support_hours", "lookup_renewal_quote", "file_request", "request_human")
MIN_WORDS_FOR_TWO = 6


def asks_two_things(text: str) -> bool:
    """Two question marks, or one question joined to another by "und"/"și"/"en"/"y"."""
    parts = [p for p in re.split(r"[?¿]", text) if len(p.split()) >= 2]
    if len(parts) >= 2:
        return True
    folded = fold(text)
    return len(text.split()) >= MIN_WORDS_FOR_TWO and "?" in text and any(
        contains(folded, w) for w in word_list("and_words"))


def second_topic(parse: Mapping[str, Any]) -> str | None:
    """The best-scored topic other than the one answered."""
    answered = selected_topic(parse)
    best = next(((score, name) for score, name in topic_scores(parse)
                 if name != answered and (name.startswith("faq/") or name in OTHER_TOPIC_INTENTS)), (0.0, ""))
    return best[1] if best[0] >= SECOND_TOPIC_CONFIDENCE else None


def other_question(parse: Mapping[str, Any]) -> str | None:
    """The second topic of a FAQ message that asks two things, else None; pure, for tests without Rasa."""
    if (parse.get("intent") or {}).get("name") != "faq" or not asks_two_things(str(parse.get("text") or "")):
        return None
    return second_topic(parse)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class OtherQuestion(ConfiguredComponent):
    """See the module docstring. Put it after every component that may change the intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            topic = other_question(message.as_dict(only_output_properties=True))
            if topic is None:
                continue
            entity = {"entity": ENTITY, "value": topic, "extractor": self.__class__.__name__}
            message.set("entities", [*(message.get("entities") or []), entity], add_to_output=True)
        return messages
