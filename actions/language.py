"""Keeps the conversation's `language` and `country` slots up to date after every customer message."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.language.conversation import LanguageState, decide


class ValidateSlotMappings(Action):
    """Rasa runs `action_validate_slot_mappings` after each message, before predicting the reply."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        current = None
        if tracker.get_slot("language") and tracker.get_slot("country"):
            current = LanguageState(
                tracker.get_slot("language"), tracker.get_slot("country"), tracker.get_slot("page_language")
            )
        latest = tracker.latest_message or {}
        in_form = bool((tracker.active_loop or {}).get("name"))
        new = decide(current, latest, latest.get("metadata") or {}, in_form=in_form)
        events = []
        for slot, value in (("language", new.language), ("country", new.country), ("page_language", new.page_language)):
            if tracker.get_slot(slot) != value:
                events.append(SlotSet(slot, value))
        return events
