"""Rasa NLU component, first in the pipeline: every later component sees at most `max_chars` characters.

The channels already cut customer messages (bot.channels); this covers the authenticated HTTP API
(/model/parse, /conversations/{id}/messages) too, so no path can make NLU scan megabytes of text.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.limits import MAX_MESSAGE_CHARS, TRUNCATED_FROM, cut
from bot.nlu.component import ConfiguredComponent


def limit_message(message: Message, max_chars: int) -> None:
    """Cut the text in place and record the original length (or the one the channel recorded)."""
    metadata = message.get("metadata")
    earlier = metadata.get(TRUNCATED_FROM) if isinstance(metadata, dict) else None
    text, original = cut(message.get(TEXT), max_chars)
    if original is not None:
        message.set(TEXT, text)
    original = original or (int(earlier) if isinstance(earlier, int) and earlier > max_chars else None)
    if original is not None:
        message.set(TRUNCATED_FROM, original)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class InputLimiter(ConfiguredComponent):
    """See the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_chars": MAX_MESSAGE_CHARS}

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self._max_chars = int(self.config["max_chars"])


    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # training examples are short and written by us

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            limit_message(message, self._max_chars)
        return messages
