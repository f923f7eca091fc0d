"""Service requests: the form, its summary and confirmation, and filing in one transaction."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import conversation_locale, label, say
from actions.forms import (
    FORM_CANCELLED,
    INVALID_ANSWERS,
    AskSlot,
    LocalizedFormValidation,
    conversation_message,
    looks_like_other_message,
    slot_text,
)
from actions.handoff import left_form
from actions.offers_state import OFFER_FILE_AGAIN, PENDING_OFFER
from actions.topics import REQUEST_TYPE_AFTER_FAQ, last_faq_topic
from actions.typed import (
    is_change,
    mentioned_slots,
    request_type_choice,
    value_after_marker,
    yes_or_no,
)
from bot import formatting
from bot.db.engine import session_scope
from bot.db.repository import NewRequest, file_request
from bot.requests import (
    MAX_DETAILS_CHARS,
    clean_text,
    parse_contract_or_customer_number,
    parse_email,
    parse_name,
    queue_for,
)

logger = logging.getLogger(__name__)
FORM_SLOTS = ("request_type", "contract_number", "company", "contact_name", "email", "details")
CONFIRMED = "confirmed"
# Slots a new request starts without; contact data stays known for the rest of the conversation.
PER_REQUEST_SLOTS = ("request_type", "details", CONFIRMED, FORM_CANCELLED, INVALID_ANSWERS, "request_topic")
# A cancelled request forgets everything it was given: the next one never reuses a wrong value silently.
ALL_REQUEST_SLOTS = FORM_SLOTS + (CONFIRMED, FORM_CANCELLED, INVALID_ANSWERS, "request_topic")
SUMMARY_DETAILS_CHARS = 300
# A correction during the form names the answer and says it changes; longer messages are descriptions.
MAX_CORRECTION_WORDS = 8


def request_type_from_text(text: str) -> str | None:
    """A request type named by its key, label, synonym or number in any locale."""
    return request_type_choice(text)


def corrected_value(slot: str, text: str) -> Any:
    """The new value a correction gives for `slot`, or None (the form then asks for it again)."""
    if slot == "email":
        return parse_email(text)
    if slot == "contract_number":
        return parse_contract_or_customer_number(text)
    value = value_after_marker(text)
    if slot == "request_type":
        return request_type_choice(value or text)
    if slot == "details":
        return clean_text(value, MAX_DETAILS_CHARS) if value else None
    return parse_name(value) if value else None


class ValidateServiceRequestForm(LocalizedFormValidation):
    invalid_responses = {
        "request_type": "utter_invalid_request_type", "contract_number": "utter_invalid_contract_number",
        "company": "utter_invalid_company", "contact_name": "utter_invalid_contact_name",
        "email": "utter_invalid_email", "details": "utter_ask_details", CONFIRMED: "utter_confirm_or_correct",
    }

    free_text_slots = frozenset({"company", "contact_name", "details"})

    def name(self) -> str:
        return "validate_service_request_form"

    def plausible(self, slot: str, text: str, message: Mapping[str, Any]) -> bool:
        if slot == "request_type":
            return request_type_choice(text, message) is not None
        if slot == "contract_number":
            return parse_contract_or_customer_number(text) is not None
        if slot == "email":
            return parse_email(text) is not None
        if slot == CONFIRMED:
            return yes_or_no(text, message) is not None
        return not looks_like_other_message(text, message, description=slot == "details")

    def prefill(self, text: str, tracker: Tracker) -> Dict[str, Any]:
        found = {"request_type": request_type_choice(text), "contract_number": parse_contract_or_customer_number(text),
                 "email": parse_email(text)}
        return {k: v for k, v in found.items() if v}

    def correction(self, requested: str, text: str, message: Mapping[str, Any],
                   tracker: Tracker) -> Dict[str, Any] | None:
        at_summary = requested == CONFIRMED
        filled = [s for s in FORM_SLOTS if s != requested and tracker.get_slot(s)]
        named = mentioned_slots(text, filled)
        if not named and at_summary:
            current = tracker.get_slot("request_type")
            choice = request_type_choice(text)
            named = (["email"] if parse_email(text) else ["contract_number"] if parse_contract_or_customer_number(text)
                     else ["request_type"] if choice and choice != current else [])
        if not named:
            return None
        slot = named[0]
        value = corrected_value(slot, text)
        if not at_summary and (not is_change(text) or (value is None and len(text.split()) > MAX_CORRECTION_WORDS)):
            return None
        return {slot: value, CONFIRMED: None}

    async def extract_request_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("request_type") or tracker.get_slot("requested_slot"):
            return {}
        if tracker.get_slot("request_topic"):  # offered when no colleague could take over (actions.handoff)
            return {"request_type": tracker.get_slot("request_topic")}
        topic = last_faq_topic(tracker)
        return {"request_type": REQUEST_TYPE_AFTER_FAQ[topic]} if topic in REQUEST_TYPE_AFTER_FAQ else {}

    def validate_request_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        request_type = request_type_choice(str(value), tracker.latest_message)
        if request_type:
            return {"request_type": request_type}
        return self.reject(dispatcher, tracker, "request_type", "utter_invalid_request_type")

    def validate_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[str, Any]:
        answer = yes_or_no(str(value), conversation_message(tracker))
        if answer:
            return {CONFIRMED: "yes"}
        if answer is False:
            return {CONFIRMED: None, FORM_CANCELLED: True, "requested_slot": None}
        return self.reject(dispatcher, tracker, CONFIRMED, "utter_confirm_or_correct")

    def validate_contract_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:
        number = parse_contract_or_customer_number(str(value))
        if number:
            return {"contract_number": number}
        return self.reject(dispatcher, tracker, "contract_number", "utter_invalid_contract_number")

    def validate_company(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[str, Any]:
        name = parse_name(str(value))
        return {"company": name} if name else self.reject(dispatcher, tracker, "company", "utter_invalid_company")

    def validate_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        name = parse_name(str(value))
        if name:
            return {"contact_name": name}
        return self.reject(dispatcher, tracker, "contact_name", "utter_invalid_contact_name")

    def validate_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[str, Any]:
        email = parse_email(str(value))
        return {"email": email} if email else self.reject(dispatcher, tracker, "email", "utter_invalid_email")

    def validate_details(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[str, Any]:
        details = clean_text(str(value), MAX_DETAILS_CHARS)
        if details:
            return {"details": details}
        max_chars = formatting.number(MAX_DETAILS_CHARS, conversation_locale(tracker).code)
        return self.reject(dispatcher, tracker, "details", "utter_invalid_details", max_chars=max_chars)


class AskRequestType(AskSlot):
    slot, response = "request_type", "utter_ask_request_type"


class AskContractNumber(AskSlot):
    slot, response = "contract_number", "utter_ask_contract_number"


class AskCompany(AskSlot):
    slot, response = "company", "utter_ask_company"


class AskContactName(AskSlot):
    slot, response = "contact_name", "utter_ask_contact_name"


class AskEmail(AskSlot):
    slot, response = "email", "utter_ask_email"


class AskDetails(AskSlot):
    slot, response = "details", "utter_ask_details"


def reset_request(slots: tuple[str, ...] = PER_REQUEST_SLOTS) -> List[Dict[str, Any]]:
    return [SlotSet(slot, None) for slot in slots]


class ActionRequestSummary(Action):
    """The form's last question: the summary with confirm/cancel buttons (asked again after a correction)."""

    def name(self) -> str:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        locale = conversation_locale(tracker)
        details = str(tracker.get_slot("details"))
        if len(details) > SUMMARY_DETAILS_CHARS:
            details = details[:SUMMARY_DETAILS_CHARS].rstrip() + "…"
        say(dispatcher, tracker, "utter_request_summary",
            request_type_label=label(locale, "request_types", str(tracker.get_slot("request_type"))),
            contract_number=tracker.get_slot("contract_number"), company=tracker.get_slot("company"),
            contact_name=tracker.get_slot("contact_name"), email=tracker.get_slot("email"), details=details)
        return []


class ActionFileRequest(Action):
    """Files the confirmed request in one transaction; the reference is shown only after the commit."""

    def name(self) -> str:
        return "action_file_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        if (tracker.get_slot(FORM_CANCELLED) or tracker.get_slot(CONFIRMED) != "yes"
                or any(not slot_text(tracker, s) for s in FORM_SLOTS)):
            say(dispatcher, tracker, "utter_request_cancelled")
            return reset_request(ALL_REQUEST_SLOTS) + await left_form(dispatcher, tracker, "service_request_form")
        locale = conversation_locale(tracker)
        request_type = str(tracker.get_slot("request_type"))
        new = NewRequest(
            conversation_id=tracker.sender_id, request_type=request_type,
            contract_number=str(tracker.get_slot("contract_number")), company=str(tracker.get_slot("company")),
            contact_name=str(tracker.get_slot("contact_name")), email=str(tracker.get_slot("email")),
            details=str(tracker.get_slot("details")), language=locale.language, country=locale.country,
            queue=queue_for(request_type, locale.country),
        )
        try:
            reference, created = await asyncio.to_thread(_file, new)
        except SQLAlchemyError:
            logger.exception("Filing a service request failed; nothing was filed")
            say(dispatcher, tracker, "utter_request_not_filed")
            # The answers stay and the retry is the pending offer: a typed "yes" tries again.
            return [SlotSet(CONFIRMED, None), SlotSet(PENDING_OFFER, OFFER_FILE_AGAIN)]
        say(dispatcher, tracker, "utter_request_filed" if created else "utter_request_already_filed",
            reference=reference)
        if request_type == "maintenance_termination" and "maintenance_termination_written" in locale.facts:
            say(dispatcher, tracker, "utter_written_notice")
        return reset_request()


def _file(new: NewRequest) -> tuple[str, bool]:
    """Blocking database work: run in a worker thread so other conversations are not held up."""
    with session_scope() as session:
        request, created = file_request(session, new)
        return str(request.reference), created
