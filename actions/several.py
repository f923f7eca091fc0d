"""Several questions in one message: the NLU answers one and names the other (bot.nlu.other_question's
`other_question` entity, on which the FAQ rule runs this action); the other is offered as a button (and a
typed yes accepts it, being the pending offer)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_locale, say, topic_button
from actions.offers_state import PENDING_OFFER

# bot.nlu.other_question.ENTITY (not imported: that module imports Rasa, which the action server does not need)
OTHER_QUESTION = "other_question"


class ActionOfferOtherQuestion(Action):
    """Runs after a FAQ answer whose message named a second topic; says nothing if the locale lacks it."""

    def name(self) -> str:
        return "action_offer_other_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        topic = next(tracker.get_latest_entity_values(OTHER_QUESTION), None)
        button = topic_button(conversation_locale(tracker), topic) if topic else None
        if not button:
            return []
        say(dispatcher, tracker, "utter_other_question_offered", extra_buttons=[button])
        return [SlotSet(PENDING_OFFER, f"topic:{button['payload']}")]
