"""Renewal-quote lookup: a quote is shown only when its number and the customer number both match."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Dict, List, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import conversation_locale, label, say
from actions.forms import FORM_CANCELLED, AskSlot, LocalizedFormValidation
from actions.handoff import escalate, left_form
from bot import formatting
from bot.db.engine import session_scope
from bot.db.models import RenewalQuote
from bot.db.repository import find_quote, is_expired
from bot.hours import current_time
from bot.locales import Locale
from bot.rate_limit import Limiter, Rate, limiter
from bot.requests import parse_customer_number, parse_quote_number

logger = logging.getLogger(__name__)
MAX_LOOKUPS_PER_CONVERSATION = 5
# Per client address too (its pseudonym `client_key` from the channel), so a client that starts new
# conversations (new sender ids) cannot keep guessing quote numbers. Counted in Redis when REDIS_URL is set
# (every action-server worker and replica sees the same count), else in this process.
CLIENT_LOOKUP_RATE = Rate(count=10, seconds=3600)


@lru_cache(maxsize=1)
def client_lookups() -> Limiter:
    return limiter("quote-lookups", CLIENT_LOOKUP_RATE)


class ValidateQuoteLookupForm(LocalizedFormValidation):
    invalid_responses = {"quote_number": "utter_invalid_quote_number",
                         "customer_number": "utter_invalid_customer_number"}

    def name(self) -> str:
        return "validate_quote_lookup_form"

    def plausible(self, slot: str, text: str, message: Mapping[str, Any]) -> bool:
        parse = parse_quote_number if slot == "quote_number" else parse_customer_number
        return parse(text) is not None

    def prefill(self, text: str, tracker: Tracker) -> Dict[str, Any]:
        found = {"quote_number": parse_quote_number(text), "customer_number": parse_customer_number(text)}
        if found["customer_number"] and not found["quote_number"]:
            # "my customer number is 9000001" right after a lookup: the same quote again.
            found["quote_number"] = tracker.get_slot("last_quote_number")
        return {k: v for k, v in found.items() if v}

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        if tracker.get_slot("requested_slot"):
            return events
        # Both numbers were in the message that started the form: the form ends at once, look it up now.
        values = {name: tracker.get_slot(name) for name in ("quote_number", "customer_number")}
        values.update({e["name"]: e.get("value") for e in events if e.get("event") == "slot"})
        cancelled = any(e.get("name") == FORM_CANCELLED and e.get("value") for e in events)
        if all(values.values()) and not cancelled:
            events.append(FollowupAction("action_lookup_quote"))
        return events

    def validate_quote_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        number = parse_quote_number(str(value))
        if number:
            return {"quote_number": number}
        return self.reject(dispatcher, tracker, "quote_number", "utter_invalid_quote_number")

    def validate_customer_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:
        number = parse_customer_number(str(value))
        if number:
            return {"customer_number": number}
        return self.reject(dispatcher, tracker, "customer_number", "utter_invalid_customer_number")


class AskQuoteNumber(AskSlot):
    slot, response = "quote_number", "utter_ask_quote_number"


class AskCustomerNumber(AskSlot):
    slot, response = "customer_number", "utter_ask_customer_number"


def quote_lines(quote: RenewalQuote, locale: Locale) -> tuple[str, str]:
    """The line items, one per line, and the total, formatted for the locale."""
    lines, total = [], Decimal(0)
    for item in quote.items:
        amount = item.unit_price * item.quantity
        total += amount
        quantity = formatting.number(item.quantity, locale.code)
        lines.append(f"• {quantity} × {item.description}: {formatting.money(amount, quote.currency, locale.code)}")
    return "\n".join(lines), formatting.money(total, quote.currency, locale.code)


def _find(quote_number: str, customer_number: str) -> RenewalQuote | None:
    """Blocking database work, run in a worker thread; the quote and its items are loaded before it returns."""
    with session_scope() as session:
        return find_quote(session, quote_number, customer_number)


class ActionLookupQuote(Action):
    """The clock is injectable for tests of expiry."""

    def __init__(self, today: Callable[[], dt.date] = dt.date.today,
                 clock: Callable[[], dt.datetime] = current_time) -> None:
        self._today = today
        self._clock = clock  # support hours, when the lookup limit escalates

    def name(self) -> str:
        return "action_lookup_quote"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        reset = [SlotSet("quote_number", None), SlotSet("customer_number", None), SlotSet(FORM_CANCELLED, None)]
        if tracker.get_slot(FORM_CANCELLED):
            say(dispatcher, tracker, "utter_no_problem")
            return reset + await left_form(dispatcher, tracker, "quote_lookup_form", self._clock)
        quote_number, customer_number = tracker.get_slot("quote_number"), tracker.get_slot("customer_number")
        reset.append(SlotSet("last_quote_number", quote_number))
        if not quote_number or not customer_number:
            say(dispatcher, tracker, "utter_anything_else")
            return reset
        attempts = int(tracker.get_slot("quote_attempts") or 0) + 1
        reset.append(SlotSet("quote_attempts", float(attempts)))
        client = str((tracker.latest_message.get("metadata") or {}).get("client_key") or "")
        if attempts > MAX_LOOKUPS_PER_CONVERSATION or (client and not client_lookups().allow(client)):
            say(dispatcher, tracker, "utter_quote_too_many_attempts")
            return reset + await escalate(dispatcher, tracker, "quote_lookup_limit", self._clock)
        locale = conversation_locale(tracker)
        try:
            quote = await asyncio.to_thread(_find, str(quote_number), str(customer_number))
        except SQLAlchemyError:
            logger.exception("Quote lookup failed")
            say(dispatcher, tracker, "utter_technical_problem")
            return reset
        if quote is None:
            say(dispatcher, tracker, "utter_quote_not_found")
        else:
            self._show(dispatcher, tracker, quote, locale)
        return reset

    def _show(self, dispatcher: CollectingDispatcher, tracker: Tracker, quote: RenewalQuote,
              locale: Locale) -> None:
        due = formatting.date(quote.due_date, locale.code)
        if is_expired(quote, self._today()):
            say(dispatcher, tracker, "utter_quote_expired", quote_number=quote.quote_number, due_date=due)
            return
        items, total = quote_lines(quote, locale)
        say(dispatcher, tracker, "utter_quote_details", quote_number=quote.quote_number,
            status=label(locale, "quote_status", quote.status), due_date=due, items=items, total=total)
        if quote.status == "open":
            say(dispatcher, tracker, "utter_quote_renewal_options")
