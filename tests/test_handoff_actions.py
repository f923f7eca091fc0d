"""Escalation triggers and the customer's side of the handoff: inline trackers, exact events, real database."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.fallback import ActionOutOfScope
from actions.handoff import ActionEscalate
from actions.quotes import ActionLookupQuote
from actions.request_status import ActionRequestStatus, ValidateRequestStatusForm
from actions.requests import ActionFileRequest, ValidateServiceRequestForm
from actions.session import ActionSessionStart
from bot import formatting
from bot.db.engine import session_scope
from bot.db.models import RequestStatusChange
from bot.db.repository import NewRequest, change_status, file_request
from bot.handoff import service
from bot.handoff.bus import bus_from_env, queue_topic
from bot.handoff.models import Escalation
from bot.locales import load_locales
from bot.render import render
from tests.handoff.agents import add_agents

LOCALES = load_locales()
# Monday 30 November 2026, 10:00 in Bucharest / 09:00 in Brussels and Madrid: every country with hours is open.
OPEN = dt.datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Bucharest"))
SATURDAY = dt.datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Bucharest"))


def user(text: str, intent: str, topic: str | None = None) -> dict[str, Any]:
    parse: dict[str, Any] = {"intent": {"name": intent, "confidence": 0.9}, "text": text}
    if topic:
        parse["response_selector"] = {"default": {"response": {"intent_response_key": topic}}}
    return {"event": "user", "text": text, "parse_data": parse}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def tracker(locale: str = "ro-RO", text: str = "Vreau să vorbesc cu un om", sender: str = "conv-1",
            events: list[dict[str, Any]] | None = None, slots: dict[str, Any] | None = None,
            intent: str = "request_human") -> Tracker:
    language, country = locale.split("-")
    latest = {"text": text, "intent": {"name": intent}}
    history = (events or []) + [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender_id=sender, slots={"language": language, "country": country, **(slots or {})},
                   latest_message=latest, events=history, paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def run(act: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[str], list[list[dict]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(act.run(dispatcher, t, {}))
    return events, [m["text"] for m in dispatcher.messages], [m["buttons"] for m in dispatcher.messages]


def text(locale: str, response: str, **values: Any) -> str:
    return render(LOCALES[locale], response, **values).text


def escalations(url: str) -> list[Escalation]:
    with session_scope(url) as session:
        return list(session.execute(select(Escalation).order_by(Escalation.id)).scalars())


def agent_online(url: str, queues: list[str], now: dt.datetime = OPEN) -> None:
    add_agents(url, 11)
    with session_scope(url) as session:
        service.heartbeat(session, 11, queues, now=now)


# --- request_human ---------------------------------------------------------------------------------

def test_agent_available_pauses_and_tells_the_queue_position(db_url: str) -> None:
    agent_online(db_url, ["contracts-RO"])
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionEscalate(clock=lambda: OPEN).run(dispatcher, tracker(), {}))
    assert events == [ConversationPaused()]
    assert [(m["text"], m["handoff"], m["queue_position"]) for m in dispatcher.messages] == [
        (text("ro-RO", "utter_handoff_waiting", position="1"), "waiting", 1)]  # the widget's waiting state
    events, messages, _ = run(ActionEscalate(clock=lambda: OPEN), tracker(sender="conv-2", text="un coleg, vă rog"))
    assert messages == [text("ro-RO", "utter_handoff_waiting", position="2")]
    rows = escalations(db_url)
    assert [(r.conversation_id, r.queue, r.reason, r.language, r.country, r.status) for r in rows] == [
        ("conv-1", "contracts-RO", "customer_request", "ro", "RO", "waiting"),
        ("conv-2", "contracts-RO", "customer_request", "ro", "RO", "waiting")]
    assert rows[1].last_customer_message == "un coleg, vă rog"


def test_the_queue_hears_of_a_new_escalation(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS_URL", raising=False)
    agent_online(db_url, ["contracts-BE"])

    async def scenario() -> dict:
        subscription = bus_from_env().subscribe(queue_topic("contracts-BE"))
        await ActionEscalate(clock=lambda: OPEN).run(CollectingDispatcher(), tracker("nl-BE", "een medewerker"), {})
        try:
            return await asyncio.wait_for(subscription.__anext__(), 5)
        finally:
            await subscription.aclose()

    event = asyncio.run(scenario())
    assert event["type"] == "escalation_waiting"
    assert (event["escalation"]["queue"], event["escalation"]["language"]) == ("contracts-BE", "nl")


def test_nobody_signed_in_offers_a_request_and_nothing_waits(db_url: str) -> None:
    agent_online(db_url, ["contracts-ES"])  # another queue's agent does not count
    events, messages, buttons = run(ActionEscalate(clock=lambda: OPEN), tracker("nl-BE", "een mens aub"))
    assert events == []
    assert messages == [text("nl-BE", "utter_handoff_nobody_available")]
    assert [b["payload"] for b in buttons[0]] == ["/file_request", "/deny"]
    assert escalations(db_url) == []


def test_stale_heartbeat_counts_as_nobody(db_url: str) -> None:
    agent_online(db_url, ["contracts-RO"], now=OPEN - dt.timedelta(seconds=31))
    _, messages, _ = run(ActionEscalate(clock=lambda: OPEN), tracker())
    assert messages == [text("ro-RO", "utter_handoff_nobody_available")]


def test_outside_hours_tells_the_next_opening_in_the_countrys_zone(db_url: str) -> None:
    agent_online(db_url, ["contracts-RO"], now=SATURDAY)
    events, messages, _ = run(ActionEscalate(clock=lambda: SATURDAY), tracker())
    monday_nine = dt.datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Bucharest"))
    assert "luni" in formatting.day_and_time(monday_nine, "ro-RO")
    assert messages == [text("ro-RO", "utter_handoff_closed",
                             next_open=formatting.day_and_time(monday_nine, "ro-RO"))]
    assert events == [] and escalations(db_url) == []


@pytest.mark.parametrize("locale", ["de-DE", "nl-NL"])
def test_country_without_hours_says_so_and_offers_a_request(db_url: str, locale: str) -> None:
    agent_online(db_url, [f"contracts-{locale[-2:]}"])
    events, messages, _ = run(ActionEscalate(clock=lambda: OPEN), tracker(locale, "Mitarbeiter bitte"))
    assert (events, messages) == ([], [text(locale, "utter_handoff_no_hours")])


def test_offered_request_starts_with_the_conversations_topic(db_url: str) -> None:
    read_faq = [user("Cum obțin o copie a contractului?", "faq", "faq/contract_copy"), action("utter_faq")]
    events, _, _ = run(ActionEscalate(clock=lambda: SATURDAY), tracker(events=read_faq))
    assert events == [SlotSet("request_topic", "contract_copy")]
    form = Tracker(sender_id="c", slots={"language": "ro", "country": "RO", "request_topic": "contract_copy",
                                         "requested_slot": None}, latest_message={"text": "/file_request"},
                   events=[], paused=False, followup_action=None, active_loop={"name": "service_request_form"},
                   latest_action_name="action_listen")
    assert asyncio.run(ValidateServiceRequestForm().extract_request_type(CollectingDispatcher(), form, {})) == {
        "request_type": "contract_copy"}


def test_person_after_two_misses_is_a_repeated_misunderstanding(db_url: str) -> None:
    agent_online(db_url, ["contracts-ES"])
    misses = [user("asdf qwer", "nlu_fallback"), action("action_clarify"),
              user("¿y el tiempo mañana?", "out_of_scope"), action("action_out_of_scope")]
    run(ActionEscalate(clock=lambda: OPEN), tracker("es-ES", "/request_human", events=misses))
    assert [(r.reason, r.queue) for r in escalations(db_url)] == [("repeated_misunderstanding", "contracts-ES")]


# --- misses ------------------------------------------------------------------------------------------

def test_out_of_scope_offers_a_person_only_after_a_miss() -> None:
    _, messages, _ = run(ActionOutOfScope(), tracker("es-ES", "¿qué tiempo hace?", intent="out_of_scope"))
    assert messages == [text("es-ES", "utter_out_of_scope")]
    unanswered = [user("Tengo otra pregunta sobre el contrato", "faq", "faq/unanswered_contract_question"),
                  action("utter_faq")]
    _, messages, buttons = run(ActionOutOfScope(), tracker("es-ES", "¿qué tiempo hace?", events=unanswered,
                                                           intent="out_of_scope"))
    assert messages == [text("es-ES", "utter_offer_human")]
    assert buttons[0][0]["payload"] == "/request_human"


# --- forms left twice, quote limit -----------------------------------------------------------------

def test_second_form_left_escalates(db_url: str) -> None:
    agent_online(db_url, ["contracts-RO"])
    events, messages, _ = run(ActionFileRequest(), tracker(text="nu", intent="deny", slots={"form_cancelled": True}))
    assert events[-1] == SlotSet("forms_left", 1.0) and escalations(db_url) == []
    # The second time (the clock is the real one here: the German content has no hours to compare with).
    events, messages, _ = run(ActionFileRequest(), tracker("de-DE", "nein", intent="deny",
                                                           slots={"forms_left": 1.0, "form_cancelled": True}))
    assert SlotSet("forms_left", 0.0) in events
    assert messages == [text("de-DE", "utter_request_cancelled"), text("de-DE", "utter_handoff_no_hours")]


def test_second_quote_form_left_waits_in_the_renewals_queue(db_url: str) -> None:
    agent_online(db_url, ["renewals-RO"])
    t = tracker(text="anulează", intent="inform", slots={"forms_left": 1.0, "form_cancelled": True},
                events=[user("vreau oferta mea", "lookup_renewal_quote"), action("quote_lookup_form")])
    events, messages, _ = run(ActionLookupQuote(clock=lambda: OPEN), t)
    assert events[-2:] == [SlotSet("forms_left", 0.0), ConversationPaused()]
    assert messages == [text("ro-RO", "utter_no_problem"), text("ro-RO", "utter_handoff_waiting", position="1")]
    assert [(r.reason, r.queue) for r in escalations(db_url)] == [("form_abandoned", "renewals-RO")]


def test_quote_lookup_limit_escalates_to_renewals(db_url: str) -> None:
    agent_online(db_url, ["renewals-ES"])
    t = tracker("es-ES", "1234567", intent="inform",
                slots={"quote_number": "Q-12345678", "customer_number": "1234567", "quote_attempts": 5.0})
    events, messages, _ = run(ActionLookupQuote(clock=lambda: OPEN), t)
    assert events[-1] == ConversationPaused()
    assert messages == [text("es-ES", "utter_quote_too_many_attempts"),
                        text("es-ES", "utter_handoff_waiting", position="1")]
    assert [(r.reason, r.queue) for r in escalations(db_url)] == [("quote_lookup_limit", "renewals-ES")]


# --- the pause survives a new session --------------------------------------------------------------

def test_new_session_stays_paused_while_an_escalation_is_open(db_url: str) -> None:
    agent_online(db_url, ["contracts-RO"])
    run(ActionEscalate(clock=lambda: OPEN), tracker(sender="kept"))
    events, messages, _ = run(ActionSessionStart(), tracker(sender="kept"))
    assert events == [SessionStarted(), SlotSet("language", "ro"), SlotSet("country", "RO"), ConversationPaused(),
                      ActionExecuted("action_listen")]
    assert messages == []
    with session_scope(db_url) as session:
        escalation = service.active_escalation(session, "kept")
        assert escalation is not None
        service.resolve(session, escalation.id, 11, "done")
    events, _, _ = run(ActionSessionStart(), tracker(sender="kept"))
    assert ConversationPaused() not in events


# --- status of a service request -----------------------------------------------------------------

def filed(url: str) -> str:
    new = NewRequest(conversation_id="x", request_type="contract_copy", contract_number="CT-20261234",
                     company="Exemplu SRL", contact_name="Ana Pop", email="ana@exemplu.ro", details="Copie.",
                     language="ro", country="RO", queue="contracts-RO")
    with session_scope(url) as session:
        request, _ = file_request(session, new)
        request.created_at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
        change_status(session, request, "in_progress", "agent:3")
        session.flush()
        for change in session.execute(select(RequestStatusChange)).scalars():
            change.changed_at = dt.datetime(2026, 11, 2 if change.new_status == "open" else 5, 14, 0,
                                            tzinfo=dt.timezone.utc)
        return str(request.reference)


def status_tracker(reference: str, email: str, locale: str = "ro-RO", attempts: float = 0) -> Tracker:
    return tracker(locale, email, intent="inform",
                   slots={"status_reference": reference, "status_email": email, "status_attempts": attempts})


def test_request_status_in_the_customers_language(db_url: str) -> None:
    reference = filed(db_url)
    events, messages, _ = run(ActionRequestStatus(), status_tracker(reference, "Ana@Exemplu.ro"))
    assert messages == [text("ro-RO", "utter_request_status", reference=reference, status="în lucru",
                             created_at="2 noiembrie 2026", updated_at="5 noiembrie 2026")]
    assert SlotSet("status_attempts", 1.0) in events and SlotSet("status_reference", None) in events
    _, messages, _ = run(ActionRequestStatus(), status_tracker(reference, "ana@exemplu.ro", "es-ES"))
    assert messages == [text("es-ES", "utter_request_status", reference=reference, status="en curso",
                             created_at="2 de noviembre de 2026", updated_at="5 de noviembre de 2026")]


def test_unknown_reference_and_wrong_email_get_the_same_answer(db_url: str) -> None:
    reference = filed(db_url)
    answers = [run(ActionRequestStatus(), status_tracker(ref, email, "nl-BE"))[1]
               for ref, email in ((reference, "other@exemplu.ro"), ("REQ-2026-999999", "ana@exemplu.ro"))]
    assert answers == [[text("nl-BE", "utter_request_status_not_found")]] * 2


def test_status_lookups_are_limited(db_url: str) -> None:
    reference = filed(db_url)
    _, messages, _ = run(ActionRequestStatus(), status_tracker(reference, "ana@exemplu.ro", attempts=5))
    assert messages == [text("ro-RO", "utter_request_status_too_many_attempts")]


@pytest.mark.parametrize("value, expected", [("REQ-2026-000123", "REQ-2026-000123"),
                                             ("este req 2026 000123", "REQ-2026-000123"), ("123", None)])
def test_reference_is_validated(value: str, expected: str | None) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateRequestStatusForm().validate_status_reference(value, dispatcher, tracker(text=value), {})
    # A rejected answer counts towards the way forward offered after the second in a row.
    assert result == ({"status_reference": expected} if expected else {"status_reference": None, "invalid_answers": 1.0})
    assert [m["text"] for m in dispatcher.messages] == ([] if expected else
                                                        [text("ro-RO", "utter_invalid_status_reference")])
