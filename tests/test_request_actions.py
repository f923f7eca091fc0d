"""Service-request and quote actions with inline trackers against a real (temporary) database."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.quotes import ActionLookupQuote, ValidateQuoteLookupForm
from actions.requests import ActionFileRequest, ActionRequestSummary, ValidateServiceRequestForm
from bot.db.engine import session_scope
from bot.db.models import ServiceRequest
from bot.db.quotes_io import seed_demo
from bot.locales import load_locales
from bot.render import render

LOCALES = load_locales()
FILLED = {"request_type": "maintenance_termination", "contract_number": "CT-20261234", "company": "Exemplu SRL",
          "contact_name": "Ana Pop", "email": "ana@exemplu.ro", "details": "Reziliere contract mentenanta."}
CONFIRMED = {**FILLED, "confirmed": "yes"}


def tracker(slots: dict[str, Any], text: str = "", requested: str | None = None, sender: str = "conv-1",
            events: list[dict[str, Any]] | None = None) -> Tracker:
    all_slots = {"language": "ro", "country": "RO", "requested_slot": requested, **slots}
    return Tracker(sender_id=sender, slots=all_slots, latest_message={"text": text, "intent": {"name": "inform"}},
                   events=events or [], paused=False, followup_action=None,
                   active_loop={"name": "service_request_form"} if requested else {},
                   latest_action_name="action_listen")


def run(action: Any, t: Tracker, domain: dict | None = None) -> tuple[list, list[str]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain or {}))
    return events, [m["text"] for m in dispatcher.messages]


def text(locale: str, response: str, **values: Any) -> str:
    return render(LOCALES[locale], response, **values).text


FORM_DOMAIN = {"forms": {"service_request_form": {"required_slots": list(FILLED)}},
               "slots": {s: {"type": "text", "mappings": [{"type": "from_text"}]} for s in FILLED}}


@pytest.mark.parametrize(
    "slot, value, normalised",
    [("contract_number", "ct 20261234", "CT-20261234"), ("contract_number", "nr. client 1234567", "1234567"),
     ("email", "scrieti la Ana.Pop@Exemplu.RO va rog", "Ana.Pop@exemplu.ro"),
     ("company", "<b>Exemplu</b> SRL", "Exemplu SRL"), ("request_type", "contract_copy", "contract_copy")],
)
def test_valid_answers_are_normalised(slot: str, value: str, normalised: str) -> None:
    validator = ValidateServiceRequestForm()
    result = getattr(validator, f"validate_{slot}")(value, CollectingDispatcher(), tracker({}), {})
    assert result == {slot: normalised}


@pytest.mark.parametrize(
    "slot, value, response",
    [("contract_number", "12-34", "utter_invalid_contract_number"),
     ("contract_number", "'; DROP TABLE service_requests; --", "utter_invalid_contract_number"),
     ("email", "ana at exemplu", "utter_invalid_email"),
     ("company", "x" * 121, "utter_invalid_company"),
     ("contact_name", "12345", "utter_invalid_contact_name"),
     ("request_type", "ceva", "utter_invalid_request_type")],
)
def test_invalid_answers_are_reprompted_in_the_conversation_language(slot: str, value: str, response: str) -> None:
    dispatcher = CollectingDispatcher()
    result = getattr(ValidateServiceRequestForm(), f"validate_{slot}")(value, dispatcher, tracker({}), {})
    assert result == {slot: None, "invalid_answers": 1.0}
    assert [m["text"] for m in dispatcher.messages] == [text("ro-RO", response)]


def test_ten_thousand_character_details_are_refused_with_the_limit() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateServiceRequestForm().validate_details("x" * 10000, dispatcher, tracker({}), {})
    assert result == {"details": None, "invalid_answers": 1.0}
    assert dispatcher.messages[0]["text"] == text("ro-RO", "utter_invalid_details", max_chars="2.000")


@pytest.mark.parametrize("word", ["anulează", "ANULEAZA", "abbrechen", "cancelar", "annuleren"])
def test_cancel_word_in_any_language_ends_the_form(word: str) -> None:
    events, messages = run(ValidateServiceRequestForm(), tracker({}, text=word, requested="company"), FORM_DOMAIN)
    assert events == [SlotSet("company", None), SlotSet("form_cancelled", True), SlotSet("requested_slot", None)]
    assert messages == []


def test_request_type_is_prefilled_from_the_faq_just_read() -> None:
    faq_turn = {"event": "user", "parse_data": {"intent": {"name": "faq"}, "response_selector": {"default": {
        "response": {"intent_response_key": "faq/terminate_maintenance_contract"}}}}}
    result = asyncio.run(ValidateServiceRequestForm().extract_request_type(
        CollectingDispatcher(), tracker({}, events=[faq_turn]), {}))
    assert result == {"request_type": "maintenance_termination"}


def test_summary_shows_every_answer() -> None:
    _, messages = run(ActionRequestSummary(), tracker(FILLED))
    label = LOCALES["ro-RO"].labels["request_types"]["maintenance_termination"]
    assert messages == [text("ro-RO", "utter_request_summary", request_type_label=label, **{
        k: v for k, v in FILLED.items() if k != "request_type"})]


def test_cancelled_form_is_confirmed_and_forgets_every_answer() -> None:
    events, messages = run(ActionFileRequest(), tracker({**FILLED, "form_cancelled": True}))
    assert messages == [text("ro-RO", "utter_request_cancelled")]
    assert events == [SlotSet(s, None) for s in (*FILLED, "confirmed", "form_cancelled", "invalid_answers",
                                                 "request_topic")] + [SlotSet("forms_left", 1.0)]


def test_unconfirmed_request_is_never_filed() -> None:
    events, messages = run(ActionFileRequest(), tracker({**FILLED, "confirmed": None}))
    assert messages == [text("ro-RO", "utter_request_cancelled")]
    assert SlotSet("email", None) in events


def test_filing_commits_then_tells_the_reference_and_the_written_notice(db_url: str) -> None:
    events, messages = run(ActionFileRequest(), tracker(CONFIRMED))
    with session_scope(db_url) as session:
        stored = session.execute(select(ServiceRequest)).scalar_one()
        assert (stored.queue, stored.language, stored.country, stored.conversation_id) == (
            "contracts-RO", "ro", "RO", "conv-1")
    assert messages == [text("ro-RO", "utter_request_filed", reference=stored.reference),
                        text("ro-RO", "utter_written_notice")]
    assert "Bucharest Business Park" in messages[1]
    assert events == [SlotSet(s, None) for s in ("request_type", "details", "confirmed", "form_cancelled",
                                                 "invalid_answers", "request_topic")]


def test_resubmitting_the_same_request_repeats_the_reference(db_url: str) -> None:
    _, first = run(ActionFileRequest(), tracker({**CONFIRMED, "request_type": "contract_copy"}))
    _, second = run(ActionFileRequest(), tracker({**CONFIRMED, "request_type": "contract_copy"}))
    with session_scope(db_url) as session:
        reference = session.execute(select(ServiceRequest.reference)).scalar_one()
    assert first == [text("ro-RO", "utter_request_filed", reference=reference)]
    assert second == [text("ro-RO", "utter_request_already_filed", reference=reference)]


def test_quote_question_goes_to_the_renewals_queue_of_the_country(db_url: str) -> None:
    slots = {**CONFIRMED, "request_type": "quote_question", "language": "de", "country": "DE"}
    _, messages = run(ActionFileRequest(), tracker(slots))
    with session_scope(db_url) as session:
        assert session.execute(select(ServiceRequest.queue)).scalar_one() == "renewals-DE"
    assert len(messages) == 1  # no written-notice text for Germany: the content has none


def test_database_down_is_an_apology_and_nothing_is_reported_filed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    events, messages = run(ActionFileRequest(), tracker(CONFIRMED))
    assert messages == [text("ro-RO", "utter_request_not_filed")]
    # The answers are kept, and trying again is the pending offer: a typed "da" files it.
    assert events == [SlotSet("confirmed", None), SlotSet("pending_offer", "file_again")]


# --- quotes --------------------------------------------------------------------------------------

def quote_tracker(quote: str, customer: str, locale: str = "de-DE", attempts: float = 0) -> Tracker:
    language, country = locale.split("-")
    slots = {"language": language, "country": country, "quote_number": quote, "customer_number": customer,
             "quote_attempts": attempts}
    return Tracker(sender_id="q", slots=slots, latest_message={"text": customer}, events=[], paused=False,
                   followup_action=None, active_loop={}, latest_action_name="quote_lookup_form")


TODAY = dt.date(2026, 11, 21)


def test_quote_shown_with_babel_formatting(db_url: str) -> None:
    with session_scope(db_url) as session:
        seed_demo(session, today=TODAY)
    events, messages = run(ActionLookupQuote(today=lambda: TODAY), quote_tracker("Q-90000001", "9000001"))
    # 10 x 123,45 + 2 x 1.000,00 in de-DE; CLDR puts a no-break space before the symbol.
    assert "Gesamtbetrag: 3.234,50\xa0€" in messages[0]
    assert "1.234,50\xa0€" in messages[0] and "21. Dezember 2026" in messages[0]
    assert messages[1] == text("de-DE", "utter_quote_renewal_options")
    assert SlotSet("quote_attempts", 1.0) in events and SlotSet("quote_number", None) in events


def test_quote_amounts_in_belgian_dutch(db_url: str) -> None:
    with session_scope(db_url) as session:
        seed_demo(session, today=TODAY)
    _, messages = run(ActionLookupQuote(today=lambda: TODAY), quote_tracker("Q-90000001", "9000001", "nl-BE"))
    assert "€\xa03.234,50" in messages[0] and "21 december 2026" in messages[0]


def test_mismatched_or_unknown_quote_gets_the_same_answer(db_url: str) -> None:
    with session_scope(db_url) as session:
        seed_demo(session, today=TODAY)
    for quote, customer in (("Q-90000001", "1234567"), ("Q-11111111", "9000001")):
        _, messages = run(ActionLookupQuote(today=lambda: TODAY), quote_tracker(quote, customer, "es-ES"))
        assert messages == [text("es-ES", "utter_quote_not_found")]


def test_expired_quote(db_url: str) -> None:
    with session_scope(db_url) as session:
        seed_demo(session, today=TODAY)
    _, messages = run(ActionLookupQuote(today=lambda: TODAY), quote_tracker("Q-90000002", "9000001", "ro-RO"))
    assert messages == [text("ro-RO", "utter_quote_expired", quote_number="Q-90000002", due_date="11 noiembrie 2026")]


def test_lookups_are_rate_limited_per_conversation(db_url: str) -> None:
    _, messages = run(ActionLookupQuote(today=lambda: TODAY), quote_tracker("Q-90000001", "9000001", attempts=5))
    # The limit escalates; Germany's content has no support hours, so a request is offered instead.
    assert messages == [text("de-DE", "utter_quote_too_many_attempts"), text("de-DE", "utter_handoff_no_hours")]


def test_quote_database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    _, messages = run(ActionLookupQuote(), quote_tracker("Q-90000001", "9000001"))
    assert messages == [text("de-DE", "utter_technical_problem")]


@pytest.mark.parametrize("value, expected", [("q 12345678", "Q-12345678"), ("Angebot Q-90000001 bitte", "Q-90000001")])
def test_quote_number_formats(value: str, expected: str) -> None:
    assert ValidateQuoteLookupForm().validate_quote_number(value, CollectingDispatcher(), quote_tracker("", ""), {}) == {
        "quote_number": expected}


def test_a_slow_query_in_one_conversation_does_not_delay_another(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import actions.quotes

    def lookup(quote_number: str, customer_number: str) -> None:
        if quote_number == "Q-99999999":
            time.sleep(1.5)  # a blocking, slow database call
        return None

    monkeypatch.setattr(actions.quotes, "_find", lookup)

    async def timed(quote: str) -> float:
        start = time.perf_counter()
        await ActionLookupQuote().run(CollectingDispatcher(), quote_tracker(quote, "9000001"), {})
        return time.perf_counter() - start

    async def both() -> list[float]:
        slow = asyncio.ensure_future(timed("Q-99999999"))
        await asyncio.sleep(0.05)  # the slow lookup is under way
        fast = await timed("Q-90000001")
        return [await slow, fast]

    slow, fast = asyncio.run(both())
    assert slow >= 1.5 and fast < 0.5, (slow, fast)


def test_quote_lookup_limit_follows_the_client_across_sender_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    import actions.quotes
    from bot.rate_limit import Rate, SlidingWindowLimiter

    limiter = SlidingWindowLimiter(Rate(2, 3600))
    monkeypatch.setattr(actions.quotes, "client_lookups", lambda: limiter)
    monkeypatch.setattr(actions.quotes, "_find", lambda quote, customer: None)
    answers = []
    for i in range(3):  # a new conversation (sender id) each time, zero attempts in each
        t = quote_tracker("Q-90000001", "9000001")
        t.sender_id = f"new-{i}"
        t.latest_message = {"text": "9000001", "metadata": {"client_key": "pseudonym-1"}}
        answers.append(run(ActionLookupQuote(), t)[1])
    assert answers[:2] == [[text("de-DE", "utter_quote_not_found")]] * 2
    # The limit escalates; Germany's content has no support hours, so a request is offered instead.
    assert answers[2] == [text("de-DE", "utter_quote_too_many_attempts"), text("de-DE", "utter_handoff_no_hours")]
