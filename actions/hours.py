"""Tells the customer when support is open, and whether it is open right now."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_locale, say
from actions.offers_state import OFFER_FILE_REQUEST, PENDING_OFFER
from bot import formatting
from bot.hours import Schedule, current_time, status
from bot.language.words import contains, fold, word_list
from bot.locales import Locale

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return current_time()


class ActionSupportHours(Action):
    """The clock is injectable so tests can cover open, closed, weekends, boundaries and DST."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_support_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        return self.answer(dispatcher, tracker, conversation_locale(tracker))

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, locale: Locale) -> List[Dict[str, Any]]:
        """The hours of `locale`'s country; a question about the weekend gets the weekend answer."""
        offer = [SlotSet(PENDING_OFFER, OFFER_FILE_REQUEST)]  # every hours answer offers a request
        text = fold(str((tracker.latest_message or {}).get("text") or ""))
        if any(contains(text, w) for w in word_list("weekend_words")):
            say(dispatcher, tracker, "utter_support_weekend", locale=locale)
            return offer
        hours = locale.facts.get("support_hours")
        if not hours:
            say(dispatcher, tracker, "utter_support_no_hours", locale=locale)
            return offer
        result = status(Schedule.from_facts(hours, locale.timezone), self._clock())
        if result.definite and result.open_now and result.closes_at:
            closes_at = formatting.time_of_day(result.closes_at.time(), locale.code)
            say(dispatcher, tracker, "utter_support_open_now", locale=locale, closes_at=closes_at)
        elif result.definite and result.next_open:
            next_open = formatting.day_and_time(result.next_open, locale.code)
            say(dispatcher, tracker, "utter_support_closed_now", locale=locale, next_open=next_open)
        say(dispatcher, tracker, "utter_support_hours", locale=locale)
        return offer
