"""The reply to "can we continue in ...?": a switch to a language offered, or plainly which ones are."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import say
from bot.language.words import contains, fold, word_list


def names_offered_language(text: str) -> bool:
    """Whether the message names one of the languages the assistant speaks (in any of them)."""
    folded = fold(text)
    return any(contains(folded, w) for w in word_list("language_words"))


class ActionLanguageRequest(Action):
    """The switch itself is made with the conversation's language bookkeeping; this only chooses the reply.

    "sorry, can we continue in English?" names no language offered: the customer is told which ones are,
    never that the conversation "continues in Dutch".
    """

    def name(self) -> str:
        return "action_language_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        text = str((tracker.latest_message or {}).get("text") or "")
        say(dispatcher, tracker, "utter_language_switched" if names_offered_language(text)
            else "utter_unsupported_language")
        return []
