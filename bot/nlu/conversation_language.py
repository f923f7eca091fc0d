"""Rasa NLU component: the conversation's language and country, decided inside the Rasa process.

Rasa 3.6 hands the conversation's tracker to a pipeline component whose `process` takes `tracker`, so the
bookkeeping of `bot.language.conversation.decide` needs no per-turn HTTP call to the action server (that
call, `action_validate_slot_mappings`, cost about a fifth of a turn's CPU). The component emits the slot
values that change as entities; the domain maps them to the `language`, `country`, `page_language` and
`page_country` slots (`from_entity`), so Rasa's own `action_extract_slots` sets them.

Messages that are button payloads (`/intent{...}`) skip the NLU pipeline's results (Rasa's
RegexMessageHandler replaces the entities): they never change the language, which is what they should do.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.language.conversation import LanguageState, decide, metadata_country
from bot.nlu.component import ConfiguredComponent

# slot -> entity that carries its new value
SLOT_ENTITIES = {
    "language": "conversation_language",
    "country": "conversation_country",
    "page_language": "conversation_page_language",
    "page_country": "conversation_page_country",
}
_PARSE_KEYS = ("text", "intent", "language", "language_detection")


def slot_updates(
    slots: Mapping[str, Any], active_loop: str | None, parse_data: Mapping[str, Any], metadata: Mapping[str, Any]
) -> Dict[str, str]:
    """The language slots this message changes (slot -> new value); pure, for tests without Rasa."""
    current = None
    if slots.get("language") and slots.get("country"):
        current = LanguageState(slots["language"], slots["country"], slots.get("page_language"))
    page_country = metadata_country(metadata) or slots.get("page_country")
    new = decide(current, parse_data, metadata, in_form=bool(active_loop), page_country=page_country)
    values = {"language": new.language, "country": new.country, "page_language": new.page_language,
              "page_country": page_country}
    return {slot: value for slot, value in values.items() if value is not None and slots.get(slot) != value}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ConversationLanguage(ConfiguredComponent):
    """See the module docstring. Put it last in the pipeline (it reads the intent and the language)."""


    def process(self, messages: List[Message], tracker: DialogueStateTracker | None = None) -> List[Message]:
        slots: Dict[str, Any] = {}
        active_loop = None
        if tracker is not None:
            slots = {name: tracker.get_slot(name) for name in SLOT_ENTITIES if name in tracker.slots}
            active_loop = tracker.active_loop_name
        for message in messages:
            parse_data = {key: message.get(key) for key in _PARSE_KEYS}
            metadata = message.get("metadata") or {}
            updates = slot_updates(slots, active_loop, parse_data, metadata if isinstance(metadata, dict) else {})
            entities = list(message.get("entities") or [])
            entities += [
                {"entity": SLOT_ENTITIES[slot], "value": value, "extractor": self.__class__.__name__}
                for slot, value in updates.items()
            ]
            message.set("entities", entities, add_to_output=True)
        return messages
