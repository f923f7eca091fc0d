"""The ConversationLanguage pipeline component: slot values as entities, from the tracker, in the Rasa process."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.locales import fallback_note_locale, load_locales, resolve_locale
from bot.nlu.conversation_language import ConversationLanguage, slot_updates

DOMAIN = Domain.load("domain")
LOCALES = load_locales()


def message(text: str, language: str, metadata: dict[str, Any] | None = None, intent: str = "faq",
            score: float = 0.99) -> Message:
    detection = {"language": language, "scores": {language: score}, "has_language": True, "fits": {},
                 "unsupported_language": None, "word_languages": [[language]]}
    data = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "language": language,
            "language_detection": detection, "metadata": metadata or {}}
    return Message(data=data)


def tracker(**slots: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("t", [SlotSet(k, v) for k, v in slots.items()], slots=DOMAIN.slots)


def entities(msg: Message, t: DialogueStateTracker | None) -> list[tuple[str, str]]:
    processed = ConversationLanguage().process([msg], t)[0]
    return [(e["entity"], e["value"]) for e in processed.get("entities")]


def test_first_message_with_metadata_sets_every_slot() -> None:
    got = entities(message("Hallo", "de", {"language": "nl", "country": "NL"}), tracker())
    assert got == [("conversation_language", "nl"), ("conversation_country", "NL"),
                   ("conversation_page_language", "nl"), ("conversation_page_country", "NL")]


def test_unchanged_state_emits_nothing() -> None:
    assert entities(message("ok", "de", score=0.3), tracker(language="de", country="DE")) == []


def test_without_tracker_it_still_decides() -> None:  # /model/parse gives an empty tracker
    assert entities(message("Hola", "es"), None) == [("conversation_language", "es"), ("conversation_country", "ES")]


def test_dutch_nl_customer_keeps_the_netherlands_across_switches() -> None:
    slots = {"language": "nl", "country": "NL", "page_language": "nl", "page_country": "NL"}
    german = slot_updates(slots, None, message("Wie kann ich kündigen?", "de").as_dict(), {})
    assert german == {"language": "de"}  # the country stays NL
    slots.update(german)
    dutch = slot_updates(slots, None, message("Hoe kan ik opzeggen?", "nl").as_dict(), {})
    assert dutch == {"language": "nl"}
    assert resolve_locale(slots["language"], slots["country"]).code == "nl-NL"


def test_country_from_metadata_on_every_message_survives_a_switch_back() -> None:
    slots = {"language": "de", "country": "NL", "page_language": "nl", "page_country": "NL"}
    meta = {"language": "nl", "country": "NL"}
    assert slot_updates(slots, None, message("Hoe kan ik opzeggen?", "nl", meta).as_dict(), meta) == {"language": "nl"}


def test_a_form_answer_changes_nothing() -> None:
    slots = {"language": "de", "country": "DE"}
    assert slot_updates(slots, "service_request_form", message("Hola Ltd", "es").as_dict(), {}) == {}


def test_language_without_a_locale_for_the_country_gets_the_countrys_facts_and_a_note() -> None:
    # German on a Belgian page: Belgium's facts (nl-BE), a note in German - never "für Deutschland".
    assert resolve_locale("de", "BE", LOCALES).code == "nl-BE"
    note = fallback_note_locale("de", "BE", LOCALES)
    assert note is not None and note.code == "de-DE"
    assert fallback_note_locale("nl", "NL", LOCALES) is None
    assert resolve_locale("nl", "FR", LOCALES).code == "nl-BE"  # a country without any locale
    assert fallback_note_locale("nl", "FR", LOCALES) is None
