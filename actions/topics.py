"""What the conversation is about: the FAQ topic the customer last read, and the request type it implies."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.lifecycle.parsing import selected_topic

# The FAQ answer a customer read before asking to file a request says what the request is about.
REQUEST_TYPE_AFTER_FAQ = {
    "faq/contract_copy": "contract_copy",
    "faq/terminate_software_license": "software_license_termination",
    "faq/terminate_maintenance_contract": "maintenance_termination",
    "faq/activate_servicepac": "servicepac_registration",
    "faq/maintenance_contract_contact": "quote_question",
}


def last_faq_topic(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            key = selected_topic(event.get("parse_data") or {})
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent == "faq" and key:
                return str(key)
    return None
