"""The NLG answers with the customer's country's facts; a language without content for it gets a note once."""

from __future__ import annotations

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.locales import load_locales
from bot.nlg import LocaleAwareNLG
from bot.render import render

DOMAIN = Domain.load("domain")
LOCALES = load_locales()


def reply(events: list) -> str:
    tracker = DialogueStateTracker.from_events("t", events, slots=DOMAIN.slots)
    response = asyncio.run(LocaleAwareNLG(domain=DOMAIN).generate("utter_faq/contract_copy", tracker, "rest"))
    assert response is not None
    return str(response["text"])


def test_german_on_a_belgian_page_gets_belgian_facts_and_a_german_note_once() -> None:
    switched = [UserUttered("Wann sind Sie erreichbar?"), SlotSet("language", "de"), SlotSet("country", "BE")]
    text = reply(switched)
    note = render(LOCALES["de-DE"], "utter_locale_fallback_note", country="Belgien", language="Niederländisch").text
    assert text == f"{note}\n\n{render(LOCALES['nl-BE'], 'utter_faq/contract_copy').text}"
    assert "Deutschland" not in text
    # The next reply of the same turn, and later turns, have no note.
    assert reply([*switched, BotUttered(text)]) == render(LOCALES["nl-BE"], "utter_faq/contract_copy").text
    assert reply([*switched, BotUttered(text), UserUttered("und am Samstag?")]) == render(
        LOCALES["nl-BE"], "utter_faq/contract_copy").text


def test_an_existing_pair_gets_no_note() -> None:
    text = reply([UserUttered("Hoe laat?"), SlotSet("language", "nl"), SlotSet("country", "NL")])
    assert text == render(LOCALES["nl-NL"], "utter_faq/contract_copy").text
