"""What the assistant says when it did not understand, or the input cannot be understood."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_locale, latest_user_text, say, topic_button
from actions.followups import answer_follow_up, restart_quote_lookup
from actions.forms import conversation_message
from actions.misses import previous_turns_missed
from actions.offers import ActionAnswerOffer
from actions.offers_state import OFFER_HUMAN, PENDING_OFFER
from actions.typed import yes_or_no
from bot.lifecycle.parsing import topic_scores

MAX_TOPIC_BUTTONS = 3
# Intents that are not topics a customer could have meant.
_NOT_TOPICS = {"nlu_fallback", "greet", "goodbye", "thank", "affirm", "deny", "inform", "bot_challenge",
               "out_of_scope", "switch_language", "faq"}

_KIND_RESPONSES = {
    "empty": "utter_empty_message",
    "no_text": "utter_no_text",
    "unsupported_language": "utter_unsupported_language",
}


def candidate_topics(parse_data: Dict[str, Any]) -> List[str]:
    """The topics the customer most likely meant, best first: FAQ answers and request intents."""
    ordered = [name for _, name in topic_scores(parse_data) if name not in _NOT_TOPICS]
    return list(dict.fromkeys(ordered))[:MAX_TOPIC_BUTTONS]


def understood_after_all_or_second_miss(dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> List[Dict[str, Any]] | None:
    """A quote number to look up or a follow-up on the previous answer is understood after all; otherwise the
    second miss in a row offers a colleague. None: neither, the caller says what it can do."""
    understood = restart_quote_lookup(tracker)
    if understood is None:
        understood = answer_follow_up(dispatcher, tracker, domain)
    if understood is not None:
        return understood
    if previous_turns_missed(tracker):
        say(dispatcher, tracker, "utter_offer_human")
        return [SlotSet(PENDING_OFFER, OFFER_HUMAN)]
    return None


class ActionClarify(Action):
    """Localized answers for inputs the assistant cannot act on; a second miss in a row offers a person."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        latest = tracker.latest_message or {}
        kind = (latest.get("input_check") or {}).get("kind", "ok")
        if kind in _KIND_RESPONSES:
            say(dispatcher, tracker, _KIND_RESPONSES[kind])
            return []
        # A typed yes/no the NLU was unsure of ("da" alone), a quote number to look up, or a follow-up on the
        # previous answer, is understood after all.
        if yes_or_no(latest_user_text(tracker), conversation_message(tracker)) is not None:
            return await ActionAnswerOffer().run(dispatcher, tracker, domain)
        understood = understood_after_all_or_second_miss(dispatcher, tracker, domain)
        if understood is not None:
            return understood

        locale = conversation_locale(tracker)
        buttons = [b for b in (topic_button(locale, t) for t in candidate_topics(latest)) if b]
        response = "utter_message_too_long" if kind == "too_long" else "utter_clarify"
        say(dispatcher, tracker, response, extra_buttons=buttons)
        return []


class ActionOutOfScope(Action):
    """Out of scope, unless it is a follow-up on the previous answer ("y el fax?") or a quote number.

    Out of scope counts as a miss: when the previous turn was a miss too, it offers a colleague.
    """

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        understood = understood_after_all_or_second_miss(dispatcher, tracker, domain)
        if understood is not None:
            return understood
        say(dispatcher, tracker, "utter_out_of_scope")
        return []
