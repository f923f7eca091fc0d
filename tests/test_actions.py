"""Custom actions with inline trackers: exact events and exact messages."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionClarify, candidate_topics
from actions.hours import ActionSupportHours
from actions.session import ActionSessionStart
from bot.locales import load_locales
from bot.render import render

LOCALES = load_locales()


def tracker(slots: dict[str, Any] | None = None, latest: dict[str, Any] | None = None,
            events: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker(
        sender_id="test", slots=slots or {}, latest_message=latest or {}, events=events or [],
        paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen",
    )


def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return events, dispatcher.messages


def text_of(locale: str, response: str, **values: Any) -> str:
    return render(LOCALES[locale], response, **values).text


# --- session start -------------------------------------------------------------------------------

def test_new_session_keeps_language_and_country_but_no_personal_data() -> None:
    slots = {"language": "nl", "country": "NL", "page_language": "nl", "page_country": "NL", "quote_attempts": 2.0,
             "contact_name": "Jan Jansen", "email": "jan@example.nl", "company": "Jansen BV",
             "customer_number": "1234567", "details": "kopie graag"}
    events, messages = run(ActionSessionStart(), tracker(slots))
    assert events == [SessionStarted(), SlotSet("language", "nl"), SlotSet("country", "NL"),
                      SlotSet("page_language", "nl"), SlotSet("page_country", "NL"),
                      SlotSet("quote_attempts", 2.0), ActionExecuted("action_listen")]
    assert messages == []


def test_new_session_carries_nothing_when_the_domain_says_so() -> None:
    dispatcher = CollectingDispatcher()
    domain = {"session_config": {"carry_over_slots_to_new_session": False}}
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker({"language": "de"}), domain))
    assert events == [SessionStarted(), ActionExecuted("action_listen")]


# --- clarification -------------------------------------------------------------------------------

def test_clarify_offers_closest_topics_as_buttons_in_the_conversation_language() -> None:
    latest = {
        "text": "contract?", "intent": {"name": "nlu_fallback"},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 1.0}, {"name": "faq", "confidence": 0.4},
                           {"name": "ask_support_hours", "confidence": 0.3}, {"name": "greet", "confidence": 0.2}],
        "response_selector": {"default": {"ranking": [
            {"intent_response_key": "faq/contract_copy", "confidence": 0.9},
            {"intent_response_key": "faq/view_contracts", "confidence": 0.1}]}},
        "input_check": {"kind": "ok"},
    }
    events, messages = run(ActionClarify(), tracker({"language": "ro", "country": "RO"}, latest))
    topics = LOCALES["ro-RO"].labels["topics"]
    assert events == []
    assert messages[0]["text"] == text_of("ro-RO", "utter_clarify")
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        topics["faq/contract_copy"]["question"], topics["ask_support_hours"]["question"],
        topics["faq/view_contracts"]["question"]]


def test_candidate_topics_skip_chitchat() -> None:
    ranking = [{"name": "greet", "confidence": 0.9}, {"name": "request_human", "confidence": 0.1}]
    assert candidate_topics({"intent_ranking": ranking}) == ["request_human"]


def test_second_miss_in_a_row_offers_a_person() -> None:
    events_log = [
        {"event": "user", "text": "blub"},
        {"event": "action", "name": "action_clarify"},
        {"event": "bot", "text": "?"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "blub blub"},
    ]
    latest = {"text": "blub blub", "intent": {"name": "nlu_fallback"}, "input_check": {"kind": "ok"}}
    _, messages = run(ActionClarify(), tracker({"language": "de", "country": "DE"}, latest, events_log))
    offer = render(LOCALES["de-DE"], "utter_offer_human")
    assert messages[0]["text"] == offer.text
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human", "/deny"]


def test_each_bad_input_kind_gets_its_own_reply() -> None:
    for kind, response in [("empty", "utter_empty_message"), ("no_text", "utter_no_text"),
                           ("unsupported_language", "utter_unsupported_language")]:
        latest = {"text": "", "intent": {"name": "nlu_fallback"}, "input_check": {"kind": kind}}
        _, messages = run(ActionClarify(), tracker({"language": "es", "country": "ES"}, latest))
        assert messages[0]["text"] == text_of("es-ES", response), kind


def test_unsupported_language_reply_names_the_languages() -> None:
    assert "Deutsch, Română, Nederlands, Español" in text_of("nl-BE", "utter_unsupported_language")


def test_long_message_asks_for_a_summary_with_topics() -> None:
    latest = {"text": "x" * 5000, "intent": {"name": "nlu_fallback"}, "input_check": {"kind": "too_long"},
              "intent_ranking": [{"name": "file_request", "confidence": 0.8}]}
    _, messages = run(ActionClarify(), tracker({"language": "de", "country": "DE"}, latest))
    assert messages[0]["text"] == text_of("de-DE", "utter_message_too_long")
    assert messages[0]["buttons"][0]["payload"] == LOCALES["de-DE"].labels["topics"]["file_request"]["question"]


# --- support hours -------------------------------------------------------------------------------

def _hours(locale: str, now: dt.datetime) -> list[str]:
    lang, country = locale.split("-")
    _, messages = run(ActionSupportHours(clock=lambda: now), tracker({"language": lang, "country": country}))
    return [m["text"] for m in messages]


def test_hours_open_now_in_romania() -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Bucharest"))
    assert _hours("ro-RO", now) == [text_of("ro-RO", "utter_support_open_now", closes_at="17:30"),
                                    text_of("ro-RO", "utter_support_hours")]


def test_hours_closed_on_saturday_in_belgium() -> None:
    now = dt.datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    assert _hours("nl-BE", now) == [text_of("nl-BE", "utter_support_closed_now", next_open="maandag 08:30"),
                                    text_of("nl-BE", "utter_support_hours")]


def test_hours_without_content_hours_say_so() -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)
    assert _hours("de-DE", now) == [text_of("de-DE", "utter_support_no_hours")]
    assert _hours("nl-NL", now) == [text_of("nl-NL", "utter_support_no_hours")]


def test_hours_spain_with_undated_summer_gives_schedule_when_unsure() -> None:
    now = dt.datetime(2026, 11, 23, 15, 0, tzinfo=ZoneInfo("Europe/Madrid"))  # 14:00-17:00: depends on season
    assert _hours("es-ES", now) == [text_of("es-ES", "utter_support_hours")]


def test_action_server_serves_every_custom_action_of_the_domain() -> None:
    from rasa.shared.core.domain import Domain
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = Domain.load("domain")
    custom = {a for a in domain.user_actions if not a.startswith("utter_")}
    assert custom <= set(executor.actions)
