"""Status of a filed service request: shown only when its reference and e-mail address both match."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import conversation_locale, label, say
from actions.forms import FORM_CANCELLED, AskSlot, LocalizedFormValidation
from bot import formatting
from bot.db.engine import session_scope
from bot.db.repository import find_request, last_status_change
from bot.requests import parse_email, parse_reference

logger = logging.getLogger(__name__)
MAX_LOOKUPS_PER_CONVERSATION = 5  # as for quotes: guessing references costs the guesser the chat


class ValidateRequestStatusForm(LocalizedFormValidation):
    invalid_responses = {"status_reference": "utter_invalid_status_reference", "status_email": "utter_invalid_email"}

    def name(self) -> str:
        return "validate_request_status_form"

    def plausible(self, slot: str, text: str, message: Mapping[str, Any]) -> bool:
        parse = parse_reference if slot == "status_reference" else parse_email
        return parse(text) is not None

    def prefill(self, text: str, tracker: Tracker) -> Dict[str, Any]:
        """"Status of REQ-2026-000123?" gives the reference with the question."""
        found = {"status_reference": parse_reference(text), "status_email": parse_email(text)}
        return {k: v for k, v in found.items() if v}

    def validate_status_reference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:
        reference = parse_reference(str(value))
        if reference:
            return {"status_reference": reference}
        return self.reject(dispatcher, tracker, "status_reference", "utter_invalid_status_reference")

    def validate_status_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        email = parse_email(str(value))
        return {"status_email": email} if email else self.reject(dispatcher, tracker, "status_email",
                                                                 "utter_invalid_email")


class AskStatusReference(AskSlot):
    slot, response = "status_reference", "utter_ask_status_reference"


class AskStatusEmail(AskSlot):
    slot, response = "status_email", "utter_ask_status_email"


class ActionRequestStatus(Action):
    def name(self) -> str:
        return "action_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        reset = [SlotSet("status_reference", None), SlotSet("status_email", None), SlotSet(FORM_CANCELLED, None)]
        if tracker.get_slot(FORM_CANCELLED):
            say(dispatcher, tracker, "utter_no_problem")
            return reset
        reference, email = tracker.get_slot("status_reference"), tracker.get_slot("status_email")
        if not reference or not email:
            say(dispatcher, tracker, "utter_anything_else")
            return reset
        attempts = int(tracker.get_slot("status_attempts") or 0) + 1
        reset.append(SlotSet("status_attempts", float(attempts)))
        if attempts > MAX_LOOKUPS_PER_CONVERSATION:
            say(dispatcher, tracker, "utter_request_status_too_many_attempts")
            return reset
        locale = conversation_locale(tracker)
        try:
            with session_scope() as session:
                request = find_request(session, str(reference), str(email))
                if request is None:
                    say(dispatcher, tracker, "utter_request_status_not_found")
                    return reset
                changed = last_status_change(session, request)
                say(dispatcher, tracker, "utter_request_status", reference=request.reference,
                    status=label(locale, "request_status", str(request.status)),
                    created_at=formatting.date(request.created_at.date(), locale.code),
                    updated_at=formatting.date(changed.date(), locale.code))
        except SQLAlchemyError:
            logger.exception("Request status lookup failed")
            say(dispatcher, tracker, "utter_technical_problem")
        return reset
