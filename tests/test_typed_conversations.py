"""End to end over REST with real servers, every answer typed (no payloads): the failures of issue 8 in
the four languages, with exact replies and the rows stored; then every typed conversation of
tests/data/typed_conversations completes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bot.local_servers import MODEL, Servers
from bot.locales import load_locales
from bot.render import render
from tests.reply_language import reply_responses
from tests.typed_runner import load, play, slots, stored_request

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first")
LOCALES = load_locales()


@pytest.fixture(scope="module")
def servers(stack: Servers) -> Servers:
    return stack  # the session's shared servers (tests/conftest.py)


class Chat:
    """One conversation from a page of the given locale."""

    def __init__(self, servers: Servers, locale: str) -> None:
        self.servers, self.locale = servers, locale
        self.sender = f"typed-{uuid.uuid4().hex[:10]}"
        language, country = locale.split("-")
        self.metadata = {"language": language, "country": country}

    def say(self, text: str) -> list[str]:
        return [r.get("text", "") for r in self.servers.say(self.sender, text, self.metadata)]

    def text(self, response: str, **values: Any) -> str:
        return render(LOCALES[self.locale], response, **values).text

    def rows(self) -> list[dict[str, Any]]:
        return list(stored_request(self.servers, self.sender))


def test_typed_request_type_in_dutch_then_a_stored_request(servers: Servers) -> None:
    chat = Chat(servers, "nl-BE")
    assert chat.say("Kunt u een serviceaanvraag voor mij aanmaken?") == [chat.text("utter_ask_request_type")]
    assert chat.say("Kopie van een contract") == [chat.text("utter_ask_contract_number")]
    assert chat.say("CT-20261234") == [chat.text("utter_ask_company")]
    assert chat.say("Wat is een klantnummer?") == [chat.text("utter_explain_contract_number"),
                                                   chat.text("utter_ask_company")]
    assert slots(servers, chat.sender)["company"] is None
    assert chat.say("Voorbeeld BV") == [chat.text("utter_ask_contact_name")]
    assert chat.say("Jan Peeters") == [chat.text("utter_ask_email")]
    assert chat.say("jan@voorbeeld.be") == [chat.text("utter_ask_details")]
    replies = chat.say("Graag de ondertekende versie.")
    assert reply_responses(replies[0]) == {"utter_request_summary"}
    replies = chat.say("ja")
    assert chat.rows() == [{"request_type": "contract_copy", "contract_number": "CT-20261234",
                            "company": "Voorbeeld BV", "email": "jan@voorbeeld.be", "contact_name": "Jan Peeters",
                            "details": "Graag de ondertekende versie."}]
    assert reply_responses(replies[0]) == {"utter_request_filed"}


def test_a_person_asked_for_at_the_request_type_in_german(servers: Servers) -> None:
    chat = Chat(servers, "de-DE")
    chat.say("Bitte erstellen Sie eine Serviceanfrage für mich")
    # No support hours in the German content: no colleague can take over, the form goes on.
    assert chat.say("ich will mit einem Menschen sprechen") == [chat.text("utter_handoff_no_hours"),
                                                                chat.text("utter_ask_request_type")]
    assert chat.say("Wartungsvertrag kündigen") == [chat.text("utter_ask_contract_number")]


def test_german_summary_correction_then_yes_files_the_corrected_email(servers: Servers) -> None:
    chat = Chat(servers, "de-DE")
    chat.say("Bitte erstellen Sie eine Serviceanfrage für mich")
    for answer in ("Sonstiges", "1234567", "Muster AG", "Hans Müller", "h.mueler@mueller.de"):
        chat.say(answer)
    chat.say("Bitte um Rückruf.")
    replies = chat.say("nein, die E-Mail ist falsch, richtig ist h.mueller@mueller.de")
    assert replies == [chat.text("utter_request_summary", request_type_label="Sonstiges", contract_number="1234567",
                                 company="Muster AG", contact_name="Hans Müller", email="h.mueller@mueller.de",
                                 details="Bitte um Rückruf.")]
    assert reply_responses(chat.say("ja")[0]) == {"utter_request_filed"}
    assert [row["email"] for row in chat.rows()] == ["h.mueller@mueller.de"]


def test_spanish_contract_correction_is_never_lost_before_the_yes(servers: Servers) -> None:
    chat = Chat(servers, "es-ES")
    chat.say("Por favor, abra una solicitud de servicio para mí")
    for answer in ("otra consulta", "ES-12345678", "Ejemplo SL", "María García", "maria@ejemplo.es"):
        chat.say(answer)
    chat.say("Necesitamos la copia firmada.")
    replies = chat.say("no, el contrato es ES-12345679")
    assert reply_responses(replies[0]) == {"utter_request_summary"} and "ES-12345679" in replies[0]
    assert reply_responses(chat.say("sí, envíela")[0]) == {"utter_request_filed"}
    assert [(r["contract_number"], r["request_type"]) for r in chat.rows()] == [("ES-12345679", "other")]


def test_a_cancelled_request_does_not_reuse_its_answers(servers: Servers) -> None:
    chat = Chat(servers, "ro-RO")
    chat.say("Vă rog să deschideți o cerere de service pentru mine")
    for answer in ("altceva", "1234567", "Exemplu SRL", "Ana Pop", "ana@gresit.ro", "Vă rog să mă sunați."):
        chat.say(answer)
    assert chat.say("nu") == [chat.text("utter_request_cancelled")]
    replies = chat.say("Vă rog să deschideți o cerere de service pentru mine")
    assert replies == [chat.text("utter_ask_request_type")]
    assert chat.say("altceva") == [chat.text("utter_ask_contract_number")]  # nothing of before is reused
    assert chat.rows() == []


def test_typed_yes_to_the_offered_request_in_spanish(servers: Servers) -> None:
    chat = Chat(servers, "es-ES")
    replies = chat.say("¿Cómo consigo una copia de mi contrato?")
    assert reply_responses(replies[0]) == {"utter_faq/contract_copy"}
    assert chat.say("sí, créela") == [chat.text("utter_ask_contract_number")]


def test_typed_da_to_a_colleague_in_romanian(servers: Servers) -> None:
    chat = Chat(servers, "ro-RO")
    chat.say("Vreau să vorbesc cu un coleg")  # no colleague online: a service request is offered
    replies = chat.say("da")
    assert replies == [chat.text("utter_ask_request_type")]  # in Romanian: "da" is also a Spanish word


def test_quote_numbers_in_the_message_are_read(servers: Servers) -> None:
    chat = Chat(servers, "es-ES")
    assert chat.say("quiero ver mi oferta de renovación Q-90000002") == [chat.text("utter_ask_customer_number")]
    assert chat.say("me han cobrado dos veces la factura")[-1] == chat.text("utter_ask_customer_number")
    assert slots(servers, chat.sender)["customer_number"] is None
    replies = chat.say("9000001")
    assert reply_responses(replies[0]) == {"utter_quote_expired"}
    chat = Chat(servers, "de-DE")
    replies = chat.say("können Sie mein Angebot Q-90000001 prüfen? Kundennummer 9000001")
    assert reply_responses(replies[0]) == {"utter_quote_details"} and "Q-90000001" in replies[0]
    assert chat.say("und Q-90000003?") == [chat.text("utter_ask_customer_number")]
    assert reply_responses(chat.say("9000001")[0]) == {"utter_quote_details"}


def test_where_to_find_the_quote_number(servers: Servers) -> None:
    chat = Chat(servers, "de-DE")
    chat.say("Ich möchte mein Verlängerungsangebot abrufen")
    assert chat.say("Wo finde ich die Angebotsnummer?") == [chat.text("utter_explain_quote_number"),
                                                            chat.text("utter_ask_quote_number")]


def test_follow_ups_use_the_previous_answer(servers: Servers) -> None:
    chat = Chat(servers, "nl-BE")
    chat.say("Wanneer is de klantendienst bereikbaar?")
    assert chat.say("en in het weekend?") == [chat.text("utter_support_weekend")]


def test_a_fax_follow_up_the_nlu_calls_uncovered(servers: Servers) -> None:
    """The classifiers alone call "y el fax?" an uncovered question; bot/nlu/follow_up.py sees the answer before."""
    chat = Chat(servers, "es-ES")
    chat.say("¿Cómo cancelo mi contrato de mantenimiento?")
    assert chat.say("y el fax?") == [chat.text("utter_contact_fax")]


def test_unsupported_language_request_says_which_languages_are_offered(servers: Servers) -> None:
    chat = Chat(servers, "nl-BE")
    chat.say("Goedendag")
    replies = chat.say("sorry, can we continue in English?")
    assert replies == [chat.text("utter_unsupported_language")]


@pytest.mark.parametrize("language", ["de", "ro", "nl", "es"])
def test_typed_conversations_meet_the_targets(servers: Servers, language: str) -> None:
    """Issue 8's targets per language: >= 95% completed, no slot holding a question, no other country's facts."""
    outcomes = [play(servers, language, conversation) for conversation in load(language)]
    failed = [(o.name, o.failures, o.polluted_slots, o.wrong_country) for o in outcomes if not o.completed]
    assert sum(o.completed for o in outcomes) >= 0.95 * len(outcomes), failed
    assert [o.polluted_slots for o in outcomes if o.polluted_slots] == []
    assert [o.wrong_country for o in outcomes if o.wrong_country] == []
