"""The assistant's offers are accepted by a typed yes and declined by a typed no; follow-ups and requests
for languages not offered, with inline trackers: exact events and exact messages."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionClarify
from actions.language_request import ActionLanguageRequest
from actions.offers import ActionAnswerOffer
from bot.locales import load_locales
from bot.render import render

LOCALES = load_locales()


def user(text: str, intent: str, confidence: float = 0.95, faq: str | None = None) -> dict[str, Any]:
    parse: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": confidence}}
    if faq:
        parse["response_selector"] = {"default": {"response": {"intent_response_key": faq}}}
    return {"event": "user", "text": text, "parse_data": parse}


def bot(response: str | None = None, buttons: list[str] | None = None) -> dict[str, Any]:
    return {"event": "bot", "text": "…", "data": {"buttons": [{"title": "x", "payload": p} for p in buttons or []]},
            "metadata": {"utter_action": response} if response else {}}


def conversation(locale: str, turns: list[dict[str, Any]], slots: dict[str, Any] | None = None) -> Tracker:
    language, country = locale.split("-")
    latest = [t for t in turns if t["event"] == "user"][-1]["parse_data"]
    return Tracker("c", {"language": language, "country": country, **(slots or {})}, latest, turns, False, None, {},
                   "action_listen")


def run(action: Any, t: Tracker) -> tuple[list, list[str]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return events, [m["text"] for m in dispatcher.messages]


def text(locale: str, response: str, **values: Any) -> str:
    return render(LOCALES[locale], response, **values).text


@pytest.mark.parametrize("locale, question, yes", [
    ("es-ES", "¿Cómo consigo una copia de mi contrato?", "sí, créela"),
    ("de-DE", "Wie bekomme ich eine Kopie meines Vertrags?", "ja"),
    ("nl-NL", "Hoe krijg ik een kopie van mijn contract?", "ja graag"),
])
def test_a_typed_yes_to_file_a_request_starts_the_form(locale: str, question: str, yes: str) -> None:
    turns = [user(question, "faq", faq="faq/contract_copy"), bot(buttons=["/file_request"]), user(yes, "affirm")]
    events, messages = run(ActionAnswerOffer(), conversation(locale, turns))
    assert events == [FollowupAction("service_request_form")]
    assert messages == []


def test_a_typed_da_to_a_colleague_escalates() -> None:
    turns = [user("xyz", "nlu_fallback"), bot(buttons=["/request_human", "/deny"]), user("da", "affirm")]
    events, messages = run(ActionAnswerOffer(), conversation("ro-RO", turns, {"pending_offer": "request_human"}))
    assert events == [SlotSet("pending_offer", None), FollowupAction("action_escalate")]
    assert messages == []


def test_an_offer_made_in_words_only_is_accepted() -> None:
    turns = [user("ich will einen Menschen", "request_human"), bot("utter_human_handoff_unavailable"),
             user("ja, bitte", "affirm")]
    events, _ = run(ActionAnswerOffer(), conversation("de-DE", turns))
    assert events == [FollowupAction("service_request_form")]


def test_a_typed_no_declines() -> None:
    turns = [user("?", "faq", faq="faq/contract_copy"), bot(buttons=["/file_request"]), user("nee", "deny")]
    events, messages = run(ActionAnswerOffer(), conversation("nl-BE", turns))
    assert events == []
    assert messages == [text("nl-BE", "utter_no_problem")]


def test_an_older_offer_is_no_longer_pending() -> None:
    turns = [user("?", "faq", faq="faq/contract_copy"), bot(buttons=["/file_request"]), user("danke", "thank"),
             bot("utter_thank"), user("ja", "affirm")]
    events, messages = run(ActionAnswerOffer(), conversation("de-DE", turns))
    assert events == []
    assert messages == [text("de-DE", "utter_anything_else")]


def test_a_yes_to_topic_buttons_answers_the_first_topic() -> None:
    question = LOCALES["es-ES"].labels["topics"]["faq/payment_methods"]["question"]
    turns = [user("pago", "nlu_fallback"), bot(buttons=[question]), user("sí", "affirm")]
    _, messages = run(ActionAnswerOffer(), conversation("es-ES", turns))
    assert messages == [text("es-ES", "utter_faq/payment_methods")]


def test_a_typed_yes_after_a_failed_filing_tries_again() -> None:
    turns = [user("ja", "affirm"), bot("utter_request_not_filed"),
             {"event": "slot", "name": "pending_offer", "value": "file_again"}, user("ja", "affirm")]
    events, _ = run(ActionAnswerOffer(), conversation("de-DE", turns, {"pending_offer": "file_again"}))
    assert events == [SlotSet("pending_offer", None), SlotSet("confirmed", "yes"), FollowupAction("action_file_request")]


# --- follow-ups ------------------------------------------------------------------------------------

def test_weekend_after_the_hours() -> None:
    turns = [user("Wanneer is de support bereikbaar?", "ask_support_hours"), bot(), user("en in het weekend?",
                                                                                          "nlu_fallback", 0.3),
             {"event": "slot", "name": "language", "value": "nl"}]  # set after the message, before the answer
    events, messages = run(ActionClarify(), conversation("nl-BE", turns))
    assert messages == [text("nl-BE", "utter_support_weekend")]
    assert events == [SlotSet("pending_offer", "file_request")]


def test_the_fax_after_an_address() -> None:
    turns = [user("¿Cómo cancelo el mantenimiento?", "faq", faq="faq/terminate_maintenance_contract"), bot(),
             user("y el fax?", "nlu_fallback", 0.3)]
    _, messages = run(ActionClarify(), conversation("es-ES", turns))
    assert messages == [text("es-ES", "utter_contact_fax")]
    assert "+34 91 519 39 87" in messages[0]


def test_and_for_belgium_gives_belgian_facts_in_dutch() -> None:
    turns = [user("Hoe krijg ik een kopie van mijn contract?", "faq", faq="faq/contract_copy"), bot(),
             user("en voor België?", "nlu_fallback", 0.3)]
    _, messages = run(ActionClarify(), conversation("nl-NL", turns))
    assert messages == [text("nl-BE", "utter_faq/contract_copy")]


def test_a_new_quote_number_after_a_lookup_starts_a_new_lookup() -> None:
    turns = [user("Q-90000001", "inform"), bot("utter_quote_details"), user("und Q-90000002?", "inform")]
    events, _ = run(ActionClarify(), conversation("de-DE", turns, {"last_quote_number": "Q-90000001"}))
    assert events == [SlotSet("quote_number", "Q-90000002"), FollowupAction("quote_lookup_form")]


def test_a_corrected_customer_number_after_not_found_looks_the_quote_up_again() -> None:
    turns = [user("9000002", "inform"), bot("utter_quote_not_found"), user("Kundennummer 9000001", "inform")]
    events, _ = run(ActionClarify(), conversation("de-DE", turns, {"last_quote_number": "Q-90000001"}))
    assert events == [SlotSet("quote_number", "Q-90000001"), SlotSet("customer_number", "9000001"),
                      FollowupAction("quote_lookup_form")]


@pytest.mark.parametrize("message, locale, response", [
    ("sorry, can we continue in English?", "nl-BE", "utter_unsupported_language"),
    ("Können wir Englisch sprechen?", "de-DE", "utter_unsupported_language"),
    ("¿podemos seguir en francés?", "es-ES", "utter_unsupported_language"),
    ("Kunnen we in het Nederlands verder?", "nl-BE", "utter_language_switched"),
    ("putem continua în română?", "ro-RO", "utter_language_switched"),
])
def test_language_requests_say_plainly_which_languages_are_offered(message: str, locale: str, response: str) -> None:
    _, messages = run(ActionLanguageRequest(), conversation(locale, [user(message, "switch_language")]))
    assert messages == [text(locale, response)]


# --- several questions in one message (the NLU names the other one: tests/test_nlu_other_question.py) ------

def with_other_question(text: str, topic: str | None) -> dict[str, Any]:
    turn = user(text, "faq", 0.7, faq="faq/contract_copy")
    if topic:
        turn["parse_data"]["entities"] = [{"entity": "other_question", "value": topic}]
    return turn


def test_the_other_question_of_a_message_is_offered() -> None:
    from actions.several import ActionOfferOtherQuestion

    turns = [with_other_question("Wie bekomme ich eine Vertragskopie? Und wann ist der Support erreichbar?",
                                 "ask_support_hours")]
    events, messages = run(ActionOfferOtherQuestion(), conversation("de-DE", turns))
    question = LOCALES["de-DE"].labels["topics"]["ask_support_hours"]["question"]
    assert messages == [text("de-DE", "utter_other_question_offered")]
    assert events == [SlotSet("pending_offer", f"topic:{question}")]


@pytest.mark.parametrize("topic", [None, "faq/no_such_topic"])
def test_no_other_question_or_one_the_locale_lacks_offers_nothing(topic: str | None) -> None:
    from actions.several import ActionOfferOtherQuestion

    events, messages = run(ActionOfferOtherQuestion(), conversation("de-DE", [
        with_other_question("Wie bekomme ich eine Vertragskopie? Und das andere?", topic)]))
    assert (events, messages) == ([], [])


def test_out_of_scope_unless_it_follows_up_on_the_previous_answer() -> None:
    from actions.fallback import ActionOutOfScope

    turns = [user("Cum reziliez contractul de mentenanță?", "faq", faq="faq/terminate_maintenance_contract"), bot(),
             user("și faxul?", "out_of_scope", 0.9)]
    assert run(ActionOutOfScope(), conversation("ro-RO", turns)) == ([], [text("ro-RO", "utter_contact_fax")])
    turns = [user("Care e cel mai bun restaurant din oraș?", "out_of_scope", 0.9)]
    assert run(ActionOutOfScope(), conversation("ro-RO", turns)) == ([], [text("ro-RO", "utter_out_of_scope")])


def test_a_bare_da_the_nlu_is_unsure_of_still_accepts_the_offer() -> None:
    turns = [user("Vreau să vorbesc cu un coleg", "request_human"), bot("utter_human_handoff_unavailable"),
             user("da", "nlu_fallback", 0.5)]
    events, messages = run(ActionClarify(), conversation("ro-RO", turns))
    assert events == [FollowupAction("service_request_form")]
    assert messages == []
