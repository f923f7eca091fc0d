"""Typed form answers: every message of a form reaches the validation action, which accepts only a
plausible answer, answers questions and other requests, takes corrections and offers a way forward."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.quotes import ValidateQuoteLookupForm
from actions.requests import ValidateServiceRequestForm
from bot.locales import load_locales
from bot.render import render

LOCALES = load_locales()
REQUEST_SLOTS = ["request_type", "contract_number", "company", "contact_name", "email", "details", "confirmed"]
DOMAIN = {"forms": {"service_request_form": {"required_slots": REQUEST_SLOTS},
                    "quote_lookup_form": {"required_slots": ["quote_number", "customer_number"]}},
          "slots": {s: {"type": "text", "mappings": [{"type": "from_text"}]}
                    for s in REQUEST_SLOTS + ["quote_number", "customer_number"]}}
FILLED = {"request_type": "other", "contract_number": "1234567", "company": "Muster AG", "contact_name": "Hans Müller",
          "email": "h.mueler@mueller.de", "details": "Bitte um Rückruf."}
LOCALE_OF = {"de": "de-DE", "ro": "ro-RO", "nl": "nl-BE", "es": "es-ES"}


def form_tracker(text: str, requested: str | None, language: str = "de", intent: str = "inform",
                 confidence: float = 0.9, slots: dict[str, Any] | None = None, faq: str | None = None,
                 form: str = "service_request_form") -> Tracker:
    """The tracker the form's validation gets: the typed text was extracted into the requested slot."""
    message: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": confidence}}
    if faq:
        message["response_selector"] = {"default": {"response": {"intent_response_key": faq}}}
    country = LOCALE_OF[language].split("-")[1]
    all_slots = {"language": language, "country": country, "requested_slot": requested, **(slots or {})}
    events = [{"event": "user", "text": text, "parse_data": message}, {"event": "action", "name": form}]
    if requested:
        all_slots[requested] = text
        events.append({"event": "slot", "name": requested, "value": text})
    return Tracker("conv", all_slots, message, events, False, None, {"name": form}, "action_listen")


def validate(t: Tracker, action: Any = None) -> tuple[list, list[str]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run((action or ValidateServiceRequestForm()).run(dispatcher, t, DOMAIN))
    return events, [m["text"] for m in dispatcher.messages]


def text(language: str, response: str, **values: Any) -> str:
    return render(LOCALES[LOCALE_OF[language]], response, **values).text


@pytest.mark.parametrize("typed, language, expected", [
    ("Kopie van een contract", "nl", "contract_copy"),
    ("Onderhoud beëindigen", "nl", "maintenance_termination"),
    ("onderhoud opzeggen", "nl", "maintenance_termination"),
    ("WARTUNGSVERTRAG KÜNDIGEN", "de", "maintenance_termination"),
    ("kundigung softwarelizenz", "de", "software_license_termination"),
    ("Vertragskopei", "de", "contract_copy"),
    ("otra consulta", "es", "other"),
    ("incetare licenta software", "ro", "software_license_termination"),
    ("2", "es", "software_license_termination"),
])
def test_every_choice_can_be_typed(typed: str, language: str, expected: str) -> None:
    events, messages = validate(form_tracker(typed, "request_type", language, intent="nlu_fallback", confidence=0.3))
    assert events == [SlotSet("request_type", expected), SlotSet("invalid_answers", None)]
    assert messages == []


def test_the_buttons_payload_still_works() -> None:
    t = form_tracker('/inform{"request_type":"contract_copy"}', "request_type")
    t.slots["request_type"] = "contract_copy"
    t.events[-1]["value"] = "contract_copy"  # the entity of the payload, mapped by Rasa
    events, _ = validate(t)
    assert events == [SlotSet("request_type", "contract_copy"), SlotSet("invalid_answers", None)]


def test_the_faq_a_message_would_get_names_the_request_type() -> None:
    events, _ = validate(form_tracker("Ich brauche das Dokument für die Prüfer", "request_type", intent="faq",
                                      faq="faq/contract_copy"))
    assert events == [SlotSet("request_type", "contract_copy"), SlotSet("invalid_answers", None)]


def test_a_person_asked_for_at_the_request_type_is_answered_and_the_question_asked_again() -> None:
    # The German content gives no support hours: no colleague can be offered, the form goes on.
    events, messages = validate(form_tracker("ich will mit einem Menschen sprechen", "request_type",
                                             intent="request_human"))
    assert events == [SlotSet("request_type", None)]
    assert messages == [text("de", "utter_handoff_no_hours")]


def test_a_question_about_a_number_is_explained_not_stored_as_the_company() -> None:
    events, messages = validate(form_tracker("Was ist eine Kundennummer?", "company", intent="faq", confidence=0.4))
    assert events == [SlotSet("company", None)]
    assert messages == [text("de", "utter_explain_contract_number")]


def test_an_faq_mid_form_is_answered_without_its_buttons() -> None:
    events, messages = validate(form_tracker("¿Cómo consigo una copia de mi contrato?", "email", "es", intent="faq",
                                             faq="faq/contract_copy"))
    assert events == [SlotSet("email", None)]
    assert messages == [text("es", "utter_faq/contract_copy")]


def test_another_task_mid_form_finishes_this_one_first() -> None:
    events, messages = validate(form_tracker("ich möchte mein Angebot abrufen", "contact_name",
                                             intent="lookup_renewal_quote"))
    assert events == [SlotSet("contact_name", None)]
    assert messages == [text("de", "utter_finish_form_first")]


def test_a_name_is_stored() -> None:
    events, _ = validate(form_tracker("Muster AG", "company", intent="greet", confidence=0.5))
    assert events == [SlotSet("company", "Muster AG"), SlotSet("invalid_answers", None)]


def test_second_unusable_answer_offers_a_way_forward() -> None:
    first, messages = validate(form_tracker("weiß nicht", "contract_number", intent="nlu_fallback", confidence=0.2))
    assert first == [SlotSet("contract_number", None), SlotSet("invalid_answers", 1.0)]
    assert messages == [text("de", "utter_invalid_contract_number")]
    second, messages = validate(form_tracker("keine ahnung", "contract_number", intent="nlu_fallback", confidence=0.2,
                                             slots={"invalid_answers": 1.0}))
    assert second == [SlotSet("contract_number", None), SlotSet("invalid_answers", 2.0)]
    assert messages == [text("de", "utter_form_way_forward")]
    assert "abbrechen" in messages[0]


@pytest.mark.parametrize("typed, language, intent, slot, value", [
    ("nein, die E-Mail ist falsch, richtig ist h.mueller@mueller.de", "de", "deny", "email", "h.mueller@mueller.de"),
    ("no, el contrato es ES-12345679", "es", "deny", "contract_number", "ES-12345679"),
    ("nee, de contactpersoon is Jan Peeters", "nl", "deny", "contact_name", "Jan Peeters"),
    ("Firma ändern", "de", "inform", "company", None),
    ("numele companiei este greșit", "ro", "inform", "company", None),
])
def test_a_correction_at_the_summary_changes_that_answer_and_asks_to_confirm_again(
        typed: str, language: str, intent: str, slot: str, value: str | None) -> None:
    events, messages = validate(form_tracker(typed, "confirmed", language, intent=intent, slots=FILLED))
    assert events == [SlotSet("confirmed", None), SlotSet(slot, value), SlotSet("confirmed", None),
                      SlotSet("invalid_answers", None)]
    assert messages == []


def test_a_correction_mid_form_changes_the_earlier_answer() -> None:
    events, _ = validate(form_tracker("nein, die Firma ist falsch, richtig ist Muster GmbH", "email", slots={
        "company": "Muster AG"}))
    assert events == [SlotSet("email", None), SlotSet("company", "Muster GmbH"), SlotSet("confirmed", None),
                      SlotSet("invalid_answers", None)]


def test_a_description_naming_the_contract_is_no_correction() -> None:
    description = "Der Vertrag wurde falsch abgerechnet, bitte prüfen Sie die letzte Rechnung und melden sich bei uns."
    events, _ = validate(form_tracker(description, "details", intent="faq", confidence=0.6,
                                      slots={"contract_number": "1234567"}))
    assert events == [SlotSet("details", description), SlotSet("invalid_answers", None)]


@pytest.mark.parametrize("typed, language, intent", [("sí, envíela", "es", "affirm"), ("da", "ro", "inform"),
                                                      ("ja graag", "nl", "affirm"), ("/affirm", "de", "affirm")])
def test_a_typed_yes_confirms_the_summary(typed: str, language: str, intent: str) -> None:
    events, _ = validate(form_tracker(typed, "confirmed", language, intent=intent, slots=FILLED))
    assert events == [SlotSet("confirmed", "yes"), SlotSet("invalid_answers", None)]


def test_a_plain_no_at_the_summary_cancels() -> None:
    events, _ = validate(form_tracker("nein", "confirmed", intent="deny", slots=FILLED))
    assert events == [SlotSet("confirmed", None), SlotSet("form_cancelled", True), SlotSet("requested_slot", None)]


def test_an_unclear_answer_to_the_summary_says_how_to_confirm_or_correct() -> None:
    events, messages = validate(form_tracker("hmm", "confirmed", intent="nlu_fallback", confidence=0.2, slots=FILLED))
    assert events == [SlotSet("confirmed", None), SlotSet("invalid_answers", 1.0)]
    assert messages == [text("de", "utter_confirm_or_correct")]


def test_numbers_in_the_starting_message_prefill_the_request() -> None:
    events, _ = validate(form_tracker("Bitte eine Vertragskopie für Kundennummer 1234567", None,
                                      intent="file_request"))
    assert events[:2] == [SlotSet("request_type", "contract_copy"), SlotSet("contract_number", "1234567")]


# --- quote lookup ----------------------------------------------------------------------------------

def test_a_bill_complaint_is_no_quote_number() -> None:
    events, messages = validate(form_tracker("me han cobrado dos veces la factura", "quote_number", "es",
                                             intent="out_of_scope", form="quote_lookup_form"),
                                ValidateQuoteLookupForm())
    assert events == [SlotSet("quote_number", None)]
    assert messages == [text("es", "utter_out_of_scope")]


def test_where_to_find_the_quote_number_is_explained() -> None:
    events, messages = validate(form_tracker("Wo finde ich die Angebotsnummer?", "quote_number", intent="faq",
                                             faq="faq/order_status", form="quote_lookup_form"),
                                ValidateQuoteLookupForm())
    assert events == [SlotSet("quote_number", None)]
    assert messages == [text("de", "utter_explain_quote_number")]


def test_both_numbers_in_the_first_message_look_the_quote_up_at_once() -> None:
    t = form_tracker("können Sie mein Angebot Q-90000001 prüfen? Kundennummer 9000001", None,
                     intent="lookup_renewal_quote", form="quote_lookup_form")
    events, _ = validate(t, ValidateQuoteLookupForm())
    assert events == [SlotSet("quote_number", "Q-90000001"), SlotSet("customer_number", "9000001"),
                      FollowupAction("action_lookup_quote")]


def test_a_description_that_sounds_like_a_faq_is_kept() -> None:
    description = "Bitte senden Sie uns die unterschriebene Fassung für die Prüfung."
    events, _ = validate(form_tracker(description, "details", intent="faq", confidence=0.97, faq="faq/contract_copy"))
    assert events == [SlotSet("details", description), SlotSet("invalid_answers", None)]


@pytest.mark.parametrize("name, language, slot, intent", [
    ("García y Asociados SA", "es", "company", "out_of_scope"),
    ("Manufacturas Alicante S.A.", "es", "company", "faq"),
    ("Schmidt & Partner GmbH & Co. KG", "de", "company", "out_of_scope"),
    ("Pieter de Vries van Dam", "nl", "contact_name", "out_of_scope"),
])
def test_a_name_written_as_a_name_is_stored_whatever_the_classifiers_say(name: str, language: str, slot: str,
                                                                         intent: str) -> None:
    events, messages = validate(form_tracker(name, slot, language, intent=intent, confidence=0.93))
    assert events == [SlotSet(slot, name), SlotSet("invalid_answers", None)]
    assert messages == []


def test_a_complaint_is_not_a_company_name() -> None:
    events, messages = validate(form_tracker("me han cobrado dos veces la factura", "company", "es",
                                             intent="out_of_scope", confidence=0.9))
    assert events == [SlotSet("company", None)]
    assert messages == [text("es", "utter_out_of_scope")]


def test_yes_and_no_words_are_the_conversations_language() -> None:
    from actions.typed import yes_or_no

    assert yes_or_no("si, claro", {"language": "es"}) is True
    assert yes_or_no("și faxul?", {"language": "ro"}) is None
    assert yes_or_no("da", {"language": "ro"}) is True
    assert yes_or_no("nee, dank u", {"language": "nl"}) is False


def test_a_callback_wish_is_a_description_but_a_person_asked_for_is_not() -> None:
    slots = {k: v for k, v in FILLED.items() if k != "details"}
    events, _ = validate(form_tracker("Llámenme por la mañana, por favor.", "details", "es", intent="request_human",
                                      confidence=0.97, slots=slots))
    assert SlotSet("details", "Llámenme por la mañana, por favor.") in events
    # Belgium has support hours: the escalation needs the clock and the database, so German (no hours) is used.
    events, messages = validate(form_tracker("ich will mit einem Menschen sprechen", "details", "de",
                                             intent="request_human", confidence=0.97, slots=slots))
    assert events[0] == SlotSet("details", None)
    assert messages == [text("de", "utter_handoff_no_hours")]
