"""Rasa NLU component: a short message that only makes sense after the previous answer ("y el fax?",
"und am Wochenende?", "en voor België?") is a follow-up, not an uncovered question.

The classifiers see one message at a time: "y el fax?" alone looks like a contract question the content
has no answer for (faq/unanswered_contract_question), and the FAQ rule would answer it with "I have no
answer to that". Rasa 3.6 hands the tracker to `process`, so this component can see that the previous
message got an answer: a short message naming a follow-up cue of the locales' labels (`fax_words`;
`weekend_words` after the support hours; `country_words`) then becomes `nlu_fallback` with `follow_up` in
the parse output, and action_clarify answers it from the previous topic (actions/followups.py). Messages
the classifiers routed anywhere else are left alone.
"""

from __future__ import annotations

from functools import lru_cache
from typing import List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.language.words import contains, fold, word_list, word_map
from bot.lifecycle.parsing import selected_topic
from bot.nlu.component import ConfiguredComponent

UNCOVERED = "faq/unanswered_contract_question"
ANSWERED = ("faq", "ask_support_hours", "request_human")  # previous intents whose answer can be followed up
MAX_WORDS = 5


@lru_cache(maxsize=1)
def cue_words() -> Tuple[Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]]:
    """(fax words, weekend words, country words) of every locale, folded like the message (bot.language.words)."""
    countries = {word for _, words in word_map("country_words") for word in words}
    return word_list("fax_words"), word_list("weekend_words"), tuple(sorted(countries, key=len, reverse=True))


def _names(folded: str, words: Tuple[str, ...]) -> bool:
    return any(contains(folded, word) for word in words)


def follow_up_cue(text: str, previous_intent: str | None, cues: Tuple[Tuple[str, ...], ...] | None = None) -> str | None:
    """Which follow-up the message is ("fax", "weekend", "country"), or None; pure, for tests without Rasa."""
    folded = fold(text)
    if previous_intent not in ANSWERED or not folded or len(folded.split()) > MAX_WORDS:
        return None
    fax, weekend, countries = cues or cue_words()
    if _names(folded, fax):
        return "fax"
    if previous_intent == "ask_support_hours" and _names(folded, weekend):
        return "weekend"
    if _names(folded, countries):
        return "country"
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FollowUp(ConfiguredComponent):
    """See the module docstring. Put it after the classifiers and the open-set detector."""


    def process(self, messages: List[Message], tracker: DialogueStateTracker | None = None) -> List[Message]:
        if tracker is None or tracker.latest_message is None:
            return messages
        previous = tracker.latest_message.parse_data or {}
        previous_intent = (previous.get("intent") or {}).get("name")
        for message in messages:
            intent = message.get("intent") or {}
            if intent.get("name") != "faq" or selected_topic(message.as_dict(only_output_properties=True)) != UNCOVERED:
                continue
            cue = follow_up_cue(str(message.get("text") or ""), previous_intent)
            if cue is None:
                continue
            message.set("intent", {"name": "nlu_fallback", "confidence": float(intent.get("confidence") or 0.0)},
                        add_to_output=True)
            message.set("follow_up", {"cue": cue, "previous_intent": previous_intent, "was": UNCOVERED},
                        add_to_output=True)
        return messages
