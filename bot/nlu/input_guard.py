"""Rasa NLU component: flags inputs that need a special reply and routes them to the fallback.

Runs last in the pipeline. Empty messages, messages without words (emoji, symbols, markup only), very long
pastes and messages confidently in a language the assistant does not speak get the intent `nlu_fallback`,
with `input_check.kind` saying why; the fallback action answers each kind with its own localized text.
The original text is never changed: the transcript keeps exactly what the customer sent.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.training_data.message import Message

from bot.language.text import MARKUP_TAG, strip_markup
from bot.limits import MAX_MESSAGE_CHARS, TRUNCATED_FROM
from bot.nlu.component import ConfiguredComponent
from bot.nlu.language_identifier import LANGUAGE_DETECTION

INPUT_CHECK = "input_check"
_ALNUM = re.compile(r"[^\W_]", re.UNICODE)

# Kinds, in the order they are checked.
EMPTY, NO_TEXT, TOO_LONG, UNSUPPORTED_LANGUAGE, OK = (
    "empty", "no_text", "too_long", "unsupported_language", "ok",
)


def classify_input(
    text: str | None, detection: Dict[str, Any] | None, max_chars: int, truncated_from: int | None = None
) -> Dict[str, Any]:
    """What kind of input this is; pure function so it can be tested without Rasa.

    `truncated_from`: the length before the channel or the InputLimiter cut the text (bot.limits).
    """
    text = text or ""
    length = truncated_from or len(text)
    has_markup = bool(MARKUP_TAG.search(text))
    if not text.strip():
        kind = EMPTY
    elif not _ALNUM.search(strip_markup(text)):
        kind = NO_TEXT
    elif length > max_chars:
        kind = TOO_LONG
    elif detection and detection.get("unsupported_language"):
        kind = UNSUPPORTED_LANGUAGE
    else:
        kind = OK
    return {"kind": kind, "markup": has_markup, "length": length}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class InputGuard(ConfiguredComponent):
    """See the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_chars": MAX_MESSAGE_CHARS}

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self._max_chars = int(self.config["max_chars"])


    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            check = classify_input(message.get("text"), message.get(LANGUAGE_DETECTION), self._max_chars,
                                   message.get(TRUNCATED_FROM))
            message.set(INPUT_CHECK, check, add_to_output=True)
            if check["kind"] != OK:
                self._route_to_fallback(message)
        return messages

    @staticmethod
    def _route_to_fallback(message: Message) -> None:
        intent = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
        ranking = [r for r in (message.get("intent_ranking") or []) if r.get("name") != intent["name"]]
        message.set("intent", intent, add_to_output=True)
        message.set("intent_ranking", [intent] + ranking, add_to_output=True)
