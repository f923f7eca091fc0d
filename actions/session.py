"""A new session starts without the customer's personal data.

Rasa 3.6 carries either every slot into a new session or none. This `action_session_start` carries only
the slots that say nothing about the person - the conversation's language and country, and the count of
quote lookups (so a new session does not reset that limit) - and drops names, e-mails, companies,
contract, customer and quote numbers and request details.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

CARRIED_SLOTS = ("language", "country", "page_language", "page_country", "quote_attempts")


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        events: List[EventType] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events += [SlotSet(name, tracker.get_slot(name)) for name in CARRIED_SLOTS
                       if tracker.get_slot(name) is not None]
        events.append(ActionExecuted("action_listen"))
        return events
