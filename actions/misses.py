"""Turns the assistant did not understand ("misses"): the second in a row offers a person."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker

from bot.lifecycle.parsing import selected_topic

MISS_INTENTS = {"nlu_fallback", "out_of_scope"}
UNANSWERED_TOPIC = "faq/unanswered_contract_question"
CLARIFY = "action_clarify"


def _turns(tracker: Tracker) -> List[List[Dict[str, Any]]]:
    """The events of each customer turn: its user event first, then what followed it."""
    turns: List[List[Dict[str, Any]]] = []
    for event in tracker.events:
        if event.get("event") == "user":
            turns.append([event])
        elif turns:
            turns[-1].append(event)
    return turns


def turn_missed(turn: List[Dict[str, Any]]) -> bool:
    """Low confidence, out of scope, a contract question no FAQ answers, or input that needed clarifying."""
    parse = turn[0].get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    if intent in MISS_INTENTS:
        return True
    if intent == "faq" and selected_topic(parse) == UNANSWERED_TOPIC:
        return True
    return any(e.get("event") == "action" and e.get("name") == CLARIFY for e in turn[1:])


def previous_turns_missed(tracker: Tracker, count: int = 1) -> bool:
    """Whether the `count` customer turns before the latest one were all misses."""
    earlier = _turns(tracker)[:-1]
    return len(earlier) >= count and all(turn_missed(turn) for turn in earlier[-count:])
