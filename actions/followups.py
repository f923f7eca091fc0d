"""Messages that only make sense after the previous answer: "and at the weekend?", "and the fax?",
"and for Belgium?", or a new quote number after a lookup."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_locale, say
from bot.language.words import contains, fold, word_list, word_map
from bot.lifecycle.parsing import selected_topic
from bot.locales import Locale, cached_locales
from bot.requests import parse_customer_number, parse_quote_number

HOURS = "hours"


def previous_topic(tracker: Tracker) -> str | None:
    """What the assistant's last answer was about: "hours", "contact" or a FAQ topic (faq/...)."""
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    for event in reversed(tracker.events[:users[-1]] if users else []):
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            intent = (parse.get("intent") or {}).get("name")
            if intent == "faq":
                return selected_topic(parse)
            if intent == "ask_support_hours":
                return HOURS
            if intent == "request_human":
                return "contact"
            if intent not in ("nlu_fallback", "inform", "affirm", "deny"):
                return None
    return None


def named_country_locale(tracker: Tracker, text: str) -> Locale | None:
    """"en voor België?": the locale of the named country in the conversation's language."""
    folded = fold(text)
    language = conversation_locale(tracker).language
    for country, words in word_map("country_words"):
        if any(contains(folded, w) for w in words):
            return cached_locales().get(f"{language}-{country}")
    return None


def answer_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> List[Dict[str, Any]] | None:
    """The answer to a follow-up on the previous answer, or None when the message is none."""
    from actions.hours import ActionSupportHours

    text = str((tracker.latest_message or {}).get("text") or "")
    folded = fold(text)
    topic = previous_topic(tracker)
    if any(contains(folded, w) for w in word_list("fax_words")):
        say(dispatcher, tracker, "utter_contact_fax")
        return []
    if topic == HOURS and any(contains(folded, w) for w in word_list("weekend_words")):
        return ActionSupportHours().answer(dispatcher, tracker, conversation_locale(tracker))
    locale = named_country_locale(tracker, text)
    if topic and locale is not None:
        if topic == HOURS:
            return ActionSupportHours().answer(dispatcher, tracker, locale)
        response = "utter_human_handoff_unavailable" if topic == "contact" else f"utter_{topic}"
        if response in locale.responses:
            say(dispatcher, tracker, response, locale=locale)
            return []
    return None


def previous_quote_number(tracker: Tracker) -> str | None:
    value = tracker.get_slot("last_quote_number")
    return str(value) if value else None


def restart_quote_lookup(tracker: Tracker) -> List[Dict[str, Any]] | None:
    """A quote number typed after a lookup (or a customer number after "not found") starts a new lookup."""
    text = str((tracker.latest_message or {}).get("text") or "")
    quote, customer = parse_quote_number(text), parse_customer_number(text)
    if not quote and not (customer and previous_quote_number(tracker)):
        return None
    events: List[Dict[str, Any]] = [SlotSet("quote_number", quote or previous_quote_number(tracker))]
    if customer:
        events.append(SlotSet("customer_number", customer))
    return events + [FollowupAction("quote_lookup_form")]
