"""A typed yes or no to the assistant's own offer: file a request, a colleague, a topic."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_locale, say
from actions.followups import answer_follow_up, restart_quote_lookup
from actions.forms import conversation_message
from actions.offers_state import OFFER_FILE_AGAIN, OFFER_FILE_REQUEST, OFFER_HUMAN, PENDING_OFFER, pending_offer
from actions.typed import intent_of, yes_or_no


def topic_of_question(tracker: Tracker, question: str) -> str | None:
    """The topic whose button sends `question`."""
    for key, entry in (conversation_locale(tracker).labels.get("topics") or {}).items():
        if isinstance(entry, dict) and entry.get("question") == question:
            return str(key)
    return None


class ActionAnswerOffer(Action):
    """Runs on affirm/deny outside a form: accepts or declines the pending offer, if any."""

    def name(self) -> str:
        return "action_answer_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        message = conversation_message(tracker)
        answer = yes_or_no(str(message.get("text") or ""), message)
        if answer is None:
            answer = intent_of(message)[0] == "affirm"
        restart = restart_quote_lookup(tracker)  # "no, my customer number is 9000001" after "not found"
        if restart is not None:
            return restart
        if yes_or_no(str(message.get("text") or ""), {"language": message["language"]}) is None:
            follow_up = answer_follow_up(dispatcher, tracker, domain)  # "și faxul?" read as a yes by the NLU
            if follow_up is not None:
                return follow_up
        offer = pending_offer(tracker)
        events: List[Dict[str, Any]] = [SlotSet(PENDING_OFFER, None)] if tracker.get_slot(PENDING_OFFER) else []
        if not answer or not offer:
            say(dispatcher, tracker, "utter_no_problem" if not answer else "utter_anything_else")
            return events
        return events + await self.accept(offer, dispatcher, tracker, domain)

    async def accept(self, offer: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> List[Dict[str, Any]]:
        from actions.hours import ActionSupportHours

        if offer == OFFER_FILE_REQUEST:
            return [FollowupAction("service_request_form")]
        if offer == OFFER_FILE_AGAIN:
            return [SlotSet("confirmed", "yes"), FollowupAction("action_file_request")]
        if offer == OFFER_HUMAN:  # a colleague takes over, or action_escalate says why not and offers a request
            return [FollowupAction("action_escalate")]
        topic = topic_of_question(tracker, offer.removeprefix("topic:"))
        if topic and topic.startswith("faq/"):
            say(dispatcher, tracker, f"utter_{topic}")
        elif topic == "ask_support_hours":
            return await ActionSupportHours().run(dispatcher, tracker, domain)
        elif topic in ("file_request", "lookup_renewal_quote"):
            return [FollowupAction("service_request_form" if topic == "file_request" else "quote_lookup_form")]
        elif topic == "request_human":
            return await self.accept(OFFER_HUMAN, dispatcher, tracker, domain)
        else:
            say(dispatcher, tracker, "utter_anything_else")
        return []
