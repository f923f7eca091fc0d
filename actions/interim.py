"""Interim answers for requests whose forms are not built yet: point to the channel the content gives."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import say

_BY_INTENT = {
    "file_request": "utter_faq/submit_request_online",
    "lookup_renewal_quote": "utter_faq/renew_subscription",
}


class ActionInterimChannels(Action):
    def name(self) -> Text:
        return "action_interim_channels"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        say(dispatcher, tracker, _BY_INTENT.get(str(intent), "utter_faq/submit_request_online"))
        return []
