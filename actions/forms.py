"""Shared base for form validation: typed answers, questions in between, cancelling, a way forward.

Every message during a form reaches the validation action (the slots' `from_text` mappings take any
intent). It decides whether the message plausibly is the answer asked for; if not, a question, a request
for a person or another task is answered here and the form asks its question again, so nothing that is
not an answer is ever stored in a slot.
"""

from __future__ import annotations

import abc
from functools import lru_cache
from typing import Any, Dict, List, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import conversation_locale, say
from actions.typed import CONFIDENT, intent_of, is_question, mentioned_slots, yes_or_no
from bot.language.words import contains, fold, word_list
from bot.lifecycle.parsing import selected_topic
from bot.locales import cached_locales
from bot.render import render

FORM_CANCELLED = "form_cancelled"
INVALID_ANSWERS = "invalid_answers"
# Unusable answers in a row after which the form offers a way forward instead of the same prompt.
WAY_FORWARD_AFTER = 2
# What a customer may ask about a form's answers, explained from the locales.
EXPLANATIONS = {
    "contract_number": "utter_explain_contract_number",
    "customer_number": "utter_explain_customer_number",
    "quote_number": "utter_explain_quote_number",
}
# Messages that are something else than an answer when the NLU is sure of them.
OTHER_INTENTS = {"faq", "ask_support_hours", "request_human", "bot_challenge", "file_request",
                 "lookup_renewal_quote", "out_of_scope", "greet", "goodbye", "thank", "switch_language"}
SURE = 0.8


@lru_cache(maxsize=1)
def cancel_phrases() -> frozenset[str]:
    """Every locale's cancel words, folded: a customer may cancel in any language."""
    return frozenset(fold(str(w)) for loc in cached_locales().values() for w in loc.labels.get("cancel_words") or [])


def is_cancel(text: str) -> bool:
    return fold(text) in cancel_phrases()


# Intents no name or description is classified as with certainty.
NOT_A_NAME_INTENTS = {"request_human", "file_request", "lookup_renewal_quote", "ask_support_hours", "bot_challenge"}
# Company and person names have at most this many words ("Schmidt & Partner GmbH & Co. KG"; "&" is no word).
MAX_NAME_WORDS = 6
# Lower-case words inside names: "Pieter van der Berg", "Müller und Söhne", "Hijos de los Santos".
NAME_PARTICLES = {"van", "von", "der", "den", "del", "las", "los", "und", "and", "dos", "das", "ter", "zum", "zur"}


def written_as_a_name(text: str) -> bool:
    """Every word of three letters or more capitalised, nothing ending a sentence: how people type a company or
    a person's name ("Logística Norte SL", "Pieter de Vries"), not a request ("Queremos cancelar el contrato")."""
    words = [w.strip(",&()") for w in text.split()]
    long_words = [w for w in words if sum(c.isalpha() for c in w) >= 3 and w.lower() not in NAME_PARTICLES]
    return (bool(long_words) and all(w[:1].isupper() for w in long_words)
            and not text.rstrip().endswith(("!", "?")) and not any(w.endswith(".") and len(w) > 4 for w in words))


def looks_like_other_message(text: str, message: Mapping[str, Any], description: bool = False) -> bool:
    """Not a name (or, with `description`, not a description): a question, a bare yes/no, a request
    for a person or another task; for names also a sentence or a FAQ the NLU is sure of."""
    intent, confidence = intent_of(message)
    words = sum(any(c.isalnum() for c in w) for w in text.split())
    sure = confidence >= SURE
    if description:
        # "I want to speak to a person" is no description; "call me in the morning" is one.
        wants_person = intent == "request_human" and sure and any(contains(fold(text), w) for w in word_list("person_words"))
        return (is_question(text) and intent in OTHER_INTENTS and sure) or wants_person or (
            words <= 2 and yes_or_no(text) is not None)
    if is_question(text) or (words <= 2 and yes_or_no(text) is not None) or words > MAX_NAME_WORDS:
        return True
    if written_as_a_name(text):
        return False  # "García y Asociados SA": a name, whatever the classifiers make of it
    return sure and (intent in NOT_A_NAME_INTENTS and words >= 3 or intent in ("faq", "out_of_scope") and words >= 4)


def conversation_message(tracker: Tracker) -> Dict[str, Any]:
    """The latest message, in the conversation's language (a short "da" may be detected as anything)."""
    return {**(tracker.latest_message or {}), "language": conversation_locale(tracker).language}


def say_plain(dispatcher: CollectingDispatcher, tracker: Tracker, response: str) -> None:
    """A catalogued answer without its buttons (in a form, the form's own question follows)."""
    locale = conversation_locale(tracker)
    if response in locale.responses:
        dispatcher.utter_message(text=render(locale, response).text)


class LocalizedFormValidation(FormValidationAction):
    """Base for the forms' validation actions.

    Subclasses say which answer is plausible for a slot (`plausible`), which response explains an
    unusable one (`invalid_responses`), what a message prefills when the form starts (`prefill`) and
    how a message corrects an earlier answer (`correction`).
    """

    invalid_responses: Mapping[str, str] = {}
    # Slots that take free text: a question naming a number is still no answer to them.
    free_text_slots: frozenset[str] = frozenset()

    @abc.abstractmethod
    def name(self) -> str:
        """validate_<form name>."""

    @abc.abstractmethod
    def plausible(self, slot: str, text: str, message: Mapping[str, Any]) -> bool:
        """Whether the message can be the answer to `slot` (then validate_<slot> normalises it)."""

    def prefill(self, text: str, tracker: Tracker) -> Dict[str, Any]:
        """Answers found in the message that started the form."""
        return {}

    def correction(self, requested: str, text: str, message: Mapping[str, Any],
                   tracker: Tracker) -> Dict[str, Any] | None:
        """Slot values a message corrects, or None when it corrects nothing."""
        return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        message = conversation_message(tracker)
        text = str(message.get("text") or "")
        if not requested:
            found = {k: v for k, v in self.prefill(text, tracker).items() if tracker.get_slot(k) in (None, "")}
            return [SlotSet(k, v) for k, v in found.items()] + await super().run(dispatcher, tracker, domain)
        if is_cancel(text):
            return [SlotSet(requested, None), SlotSet(FORM_CANCELLED, True), SlotSet(REQUESTED_SLOT, None)]
        if requested not in tracker.slots_to_validate():
            # The form resumes after another action answered: the message was handled already.
            return await super().run(dispatcher, tracker, domain)
        corrected = self.correction(requested, text, message, tracker)
        if corrected is not None:
            return [SlotSet(requested, None)] + [SlotSet(k, v) for k, v in corrected.items()] + [
                SlotSet(INVALID_ANSWERS, None)]
        candidate = str(tracker.slots_to_validate().get(requested) or "")
        if requested in self.free_text_slots and is_question(text) and mentioned_slots(
                text, EXPLANATIONS, numbers_only=True):
            return await self._not_an_answer(requested, text, message, dispatcher, tracker, domain)
        if not (self.plausible(requested, candidate, message) or self.plausible(requested, text, message)):
            return await self._not_an_answer(requested, text, message, dispatcher, tracker, domain)
        events = await super().run(dispatcher, tracker, domain)
        if any(e.get("name") == requested and e.get("value") is not None for e in events):
            events.append(SlotSet(INVALID_ANSWERS, None))
        return events

    async def _not_an_answer(self, requested: str, text: str, message: Mapping[str, Any],
                             dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Dict[str, Any]]:
        """Answers a question or another request and asks again; anything else counts as unusable."""
        asked_about = mentioned_slots(text, EXPLANATIONS, numbers_only=True) if is_question(text) else []
        # "Kundennummer" names both numbers: the one this form asks for is meant.
        asked_about.sort(key=lambda slot: slot not in self.domain_slots(domain))
        intent, confidence = intent_of(message)
        if asked_about:
            say(dispatcher, tracker, EXPLANATIONS[asked_about[0]])
        elif intent == "request_human" and confidence >= CONFIDENT:
            # A colleague takes over (escalate ends the form and pauses), or it says why not; the form goes on.
            from actions.handoff import escalate

            return [SlotSet(requested, None)] + await escalate(dispatcher, tracker, "customer_request")
        elif intent in OTHER_INTENTS and confidence >= CONFIDENT:
            await self.answer_other(intent, message, dispatcher, tracker, domain)
        else:
            return [SlotSet(k, v) for k, v in self.reject(dispatcher, tracker, requested,
                                                          self.invalid_responses[requested]).items()]
        return [SlotSet(requested, None)]

    async def answer_other(self, intent: str, message: Mapping[str, Any], dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> None:
        """What the assistant says to a digression; the form's question follows."""
        from actions.hours import ActionSupportHours

        if intent == "faq":
            key = selected_topic(message)
            if key:
                say_plain(dispatcher, tracker, f"utter_{key}")
        elif intent == "ask_support_hours":
            await ActionSupportHours().run(dispatcher, tracker, domain)
        elif intent in ("file_request", "lookup_renewal_quote"):
            say(dispatcher, tracker, "utter_finish_form_first")
        else:
            response = {"bot_challenge": "utter_iamabot", "out_of_scope": "utter_out_of_scope"}.get(intent)
            if response:
                say_plain(dispatcher, tracker, response)

    @staticmethod
    def reject(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, response: str,
               **values: Any) -> Dict[str, Any]:
        """Explains what the slot needs; from the second unusable answer in a row, a way forward."""
        count = int(tracker.get_slot(INVALID_ANSWERS) or 0) + 1
        if count >= WAY_FORWARD_AFTER:
            say(dispatcher, tracker, "utter_form_way_forward")
        else:
            say(dispatcher, tracker, response, **values)
        return {slot: None, INVALID_ANSWERS: float(count)}


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
