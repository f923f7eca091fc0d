"""The conversation's pending offer: what a typed "yes" accepts (slot `pending_offer`)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker

PENDING_OFFER = "pending_offer"
OFFER_FILE_REQUEST = "file_request"
OFFER_HUMAN = "request_human"
OFFER_FILE_AGAIN = "file_again"  # filing failed on our side; "yes" tries again
# Buttons that are offers: their payload names what a typed yes accepts.
OFFER_PAYLOADS = {"/file_request": OFFER_FILE_REQUEST, "/request_human": OFFER_HUMAN}
# Answers that offer something in words only (no button): "Gern erstelle ich eine Serviceanfrage ...".
OFFERING_RESPONSES = {
    "utter_human_handoff_unavailable": OFFER_FILE_REQUEST,
    "utter_support_no_hours": OFFER_FILE_REQUEST,
    "utter_support_weekend": OFFER_FILE_REQUEST,
}


def last_turn_events(tracker: Tracker) -> List[Dict[str, Any]]:
    """The assistant's events between the previous customer message and the latest one."""
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    if not users:
        return []
    start = users[-2] + 1 if len(users) >= 2 else 0
    return tracker.events[start:users[-1]]


def pending_offer(tracker: Tracker) -> str | None:
    """The offer made in the assistant's last turn: the slot set then, else the offer its answer made.

    An offer made earlier than the last turn is no longer pending: "yes" answers the last thing said.
    """
    offer = None
    for event in last_turn_events(tracker):
        if event.get("event") == "slot" and event.get("name") == PENDING_OFFER:
            offer = event.get("value")
        elif event.get("event") == "bot":
            data = event.get("data") or {}
            payloads = [str(b.get("payload")) for b in data.get("buttons") or []]
            offered = [OFFER_PAYLOADS[p] for p in payloads if p in OFFER_PAYLOADS]
            utter = str((event.get("metadata") or {}).get("utter_action") or "")
            if offered:
                offer = offered[0]
            elif utter in OFFERING_RESPONSES:
                offer = OFFERING_RESPONSES[utter]
            elif payloads and all(not p.startswith("/") for p in payloads):
                offer = f"topic:{payloads[0]}"  # topic buttons: yes means the first one
    return offer
