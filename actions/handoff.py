"""Escalation to a colleague: pause for a live agent, or say why not and offer a service request.

Triggers (one reason code each): `request_human` ("customer_request", or "repeated_misunderstanding" when
it answers the offer made after two misses in a row), a form left twice ("form_abandoned"), the quote
lookup limit ("quote_lookup_limit"). A colleague is offered only within the country's support hours
(bot.hours, the schedule action_support_hours uses) and when an agent of the queue has the console open;
otherwise nothing waits in a queue nobody watches.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import conversation_locale, latest_user_text, say
from actions.misses import previous_turns_missed
from actions.topics import REQUEST_TYPE_AFTER_FAQ, last_faq_topic
from bot import formatting
from bot.db.engine import session_scope
from bot.handoff import service
from bot.handoff.bus import bus_from_env, publish_quietly, queue_topic
from bot.hours import current_time, locale_status

logger = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
QUOTE_ACTIONS = {"quote_lookup_form", "action_lookup_quote"}
RECENT_TURNS = 3  # a request for a person this soon after a quote lookup is about the quote


def came_from_quote(tracker: Tracker, reason: str) -> bool:
    if reason == "quote_lookup_limit":
        return True
    user_turns_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_turns_seen += 1
            if user_turns_seen > RECENT_TURNS:
                return False
        elif event.get("event") == "action" and event.get("name") in QUOTE_ACTIONS:
            return True
    return False


def escalation_queue(tracker: Tracker, reason: str, country: str) -> str:
    """renewals-<CC> for quotes, contracts-<CC> otherwise: the routing service requests use."""
    return f"{'renewals' if came_from_quote(tracker, reason) else 'contracts'}-{country.upper()}"


def request_topic(tracker: Tracker, reason: str) -> str | None:
    """The request type an offered service request starts with."""
    if came_from_quote(tracker, reason):
        return "quote_question"
    return REQUEST_TYPE_AFTER_FAQ.get(last_faq_topic(tracker) or "")


async def escalate(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str,
                   clock: Clock = current_time) -> List[Dict[str, Any]]:
    """Pauses the conversation for a colleague, or says why none can come and offers a request."""
    locale = conversation_locale(tracker)
    queue = escalation_queue(tracker, reason, locale.country)
    topic = request_topic(tracker, reason)
    offer = [SlotSet("request_topic", topic)] if topic else []
    now = clock()
    hours = locale_status(locale.facts, locale.timezone, now)
    if hours is None:
        say(dispatcher, tracker, "utter_handoff_no_hours")
        return offer
    if not hours.open_now:
        if hours.definite and hours.next_open:
            say(dispatcher, tracker, "utter_handoff_closed",
                next_open=formatting.day_and_time(hours.next_open, locale.code))
        else:
            say(dispatcher, tracker, "utter_handoff_nobody_available")
        return offer
    try:
        with session_scope() as session:
            if not service.agent_available(session, queue, now):
                say(dispatcher, tracker, "utter_handoff_nobody_available")
                return offer
            escalation = service.create_escalation(
                session, conversation_id=tracker.sender_id, language=locale.language, country=locale.country,
                queue=queue, reason=reason, last_message=latest_user_text(tracker), now=now)
            position = service.queue_position(session, escalation)
            summary = service.summary(escalation)
    except SQLAlchemyError:
        logger.exception("Escalation of %s failed", tracker.sender_id)
        say(dispatcher, tracker, "utter_human_handoff_unavailable")
        return []
    await publish_quietly(bus_from_env(), queue_topic(queue), {"type": "escalation_waiting", "escalation": summary})
    # The marker starts the widget's "waiting for a colleague" state (bot.handoff.channel passes it on).
    say(dispatcher, tracker, "utter_handoff_waiting", position=formatting.number(position, locale.code),
        metadata={"handoff": "waiting", "queue_position": position})
    events: List[Dict[str, Any]] = []
    if (tracker.active_loop or {}).get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events + [ConversationPaused()]


FORMS_LEFT = "forms_left"


async def left_form(dispatcher: CollectingDispatcher, tracker: Tracker, form: str,
                    clock: Clock = current_time) -> List[Dict[str, Any]]:
    """Counts a service-request or quote form the customer left; the second time, escalates."""
    left = int(tracker.get_slot(FORMS_LEFT) or 0) + 1
    if left < 2:
        return [SlotSet(FORMS_LEFT, float(left))]
    return [SlotSet(FORMS_LEFT, 0.0)] + await escalate(dispatcher, tracker, "form_abandoned", clock)


class ActionEscalate(Action):
    """`request_human`, typed or from the offer after two misses. The clock is injectable for tests."""

    def __init__(self, clock: Clock = current_time) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        reason = "repeated_misunderstanding" if previous_turns_missed(tracker, 2) else "customer_request"
        return await escalate(dispatcher, tracker, reason, self._clock)

