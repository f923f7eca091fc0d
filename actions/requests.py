"""Service requests: the form, its summary and confirmation, and filing in one transaction."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import conversation_locale, label, say
from actions.forms import FORM_CANCELLED, AskSlot, LocalizedFormValidation, slot_text
from actions.handoff import left_form
from actions.topics import REQUEST_TYPE_AFTER_FAQ, last_faq_topic
from bot import formatting
from bot.db.engine import session_scope
from bot.db.repository import NewRequest, file_request
from bot.language.text import fold_diacritics
from bot.locales import cached_locales
from bot.requests import (
    MAX_DETAILS_CHARS,
    REQUEST_TYPES,
    clean_text,
    parse_contract_or_customer_number,
    parse_email,
    parse_name,
    queue_for,
)

logger = logging.getLogger(__name__)
FORM_SLOTS = ("request_type", "contract_number", "company", "contact_name", "email", "details")
# Slots a new request starts without; contact data stays known for the rest of the conversation.
PER_REQUEST_SLOTS = ("request_type", "details", FORM_CANCELLED, "request_topic")
SUMMARY_DETAILS_CHARS = 300


def request_type_from_text(text: str) -> str | None:
    """A request type named by its key or by its label in any locale."""
    folded = fold_diacritics(text.strip().lower())
    if folded in REQUEST_TYPES:
        return folded
    for locale in cached_locales().values():
        for key, title in (locale.labels.get("request_types") or {}).items():
            if fold_diacritics(str(title).lower()) == folded:
                return str(key)
    return None


class ValidateServiceRequestForm(LocalizedFormValidation):
    def name(self) -> str:
        return "validate_service_request_form"

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
        request_type = request_type_from_text(str(value))
        if request_type:
            return {"request_type": request_type}
        return self.reject(dispatcher, tracker, "request_type", "utter_invalid_request_type")

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


def reset_request() -> List[Dict[str, Any]]:
    return [SlotSet(slot, None) for slot in PER_REQUEST_SLOTS]


class ActionRequestSummary(Action):
    """After the form: the summary with confirm/cancel buttons, or the cancellation."""

    def name(self) -> str:
        return "action_request_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        if tracker.get_slot(FORM_CANCELLED) or any(not slot_text(tracker, s) for s in FORM_SLOTS):
            say(dispatcher, tracker, "utter_request_cancelled")
            return reset_request() + await left_form(dispatcher, tracker, "service_request_form")
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
        if tracker.get_slot(FORM_CANCELLED) or any(not slot_text(tracker, s) for s in FORM_SLOTS):
            say(dispatcher, tracker, "utter_anything_else")
            return []
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
            return []  # the answers stay, so "yes" can be tried again
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


class ActionCancelRequest(Action):
    def name(self) -> str:
        return "action_cancel_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        say(dispatcher, tracker, "utter_request_cancelled")
        return reset_request() + await left_form(dispatcher, tracker, "service_request_form")
