"""Shared base for form validation: cancelling in any language, localized re-prompts."""

from __future__ import annotations

import abc
from functools import lru_cache
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import say
from bot.language.text import fold_diacritics
from bot.locales import cached_locales

FORM_CANCELLED = "form_cancelled"


@lru_cache(maxsize=1)
def cancel_phrases() -> frozenset[str]:
    """Every locale's cancel words, folded: a customer may cancel in any language."""
    phrases = set()
    for locale in cached_locales().values():
        for word in locale.labels.get("cancel_words") or []:
            phrases.add(_fold(str(word)))
    return frozenset(phrases)


def _fold(text: str) -> str:
    return " ".join(fold_diacritics(text.lower()).strip(" .!?¡¿").split())


def is_cancel(text: str) -> bool:
    return _fold(text) in cancel_phrases()


class LocalizedFormValidation(FormValidationAction):
    """Base for the forms' validation actions.

    "abbrechen", "stop", "anuleaza", "cancelar" ... (the locales' cancel words) end the form without
    keeping the half-given answer; the dialogue then confirms the cancellation.
    """

    @abc.abstractmethod
    def name(self) -> str:
        """validate_<form name>."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = str((tracker.latest_message or {}).get("text") or "")
        if requested and is_cancel(text):
            return [SlotSet(requested, None), SlotSet(FORM_CANCELLED, True), SlotSet(REQUESTED_SLOT, None)]
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def reject(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, response: str,
               **values: Any) -> Dict[str, Any]:
        """Re-prompts with the slot's localized explanation; the form asks again."""
        say(dispatcher, tracker, response, **values)
        return {slot: None}


class AskSlot(Action, abc.ABC):
    """`action_ask_<slot>`: the form's question, rendered from the locales. Subclasses set both names."""

    @property
    @abc.abstractmethod
    def slot(self) -> str: ...

    @property
    @abc.abstractmethod
    def response(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        say(dispatcher, tracker, self.response)
        return []


def slot_text(tracker: Tracker, slot: str) -> str | None:
    value = tracker.get_slot(slot)
    return str(value) if value not in (None, "") else None
