"""Several questions in one message: the NLU answers one; the other is offered as a button (and a typed
yes accepts it, being the pending offer)."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_locale, say, topic_button
from actions.offers_state import PENDING_OFFER
from actions.topics import faq_key
from actions.typed import contains, fold, word_list
from bot.lifecycle.parsing import response_selection

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


def second_topic(message: Mapping[str, Any]) -> str | None:
    """The best-scored topic other than the one answered."""
    answered = faq_key(message)
    ranking = message.get("intent_ranking") or []
    faq_confidence = next((float(r.get("confidence") or 0) for r in ranking if r.get("name") == "faq"), 0.0)
    scored = []
    for candidate in response_selection(message).get("ranking") or []:
        key = candidate.get("intent_response_key")
        if key and key != answered:
            scored.append((faq_confidence * float(candidate.get("confidence") or 0), str(key)))
    scored += [(float(r.get("confidence") or 0), str(r.get("name"))) for r in ranking
               if r.get("name") in OTHER_TOPIC_INTENTS]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= SECOND_TOPIC_CONFIDENCE else None


class ActionOfferOtherQuestion(Action):
    """Runs after a FAQ answer; says nothing unless the message asked a second thing."""

    def name(self) -> str:
        return "action_offer_other_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        message = tracker.latest_message or {}
        if not asks_two_things(str(message.get("text") or "")):
            return []
        topic = second_topic(message)
        button = topic_button(conversation_locale(tracker), topic) if topic else None
        if not button:
            return []
        say(dispatcher, tracker, "utter_other_question_offered", extra_buttons=[button])
        return [SlotSet(PENDING_OFFER, f"topic:{button['payload']}")]
