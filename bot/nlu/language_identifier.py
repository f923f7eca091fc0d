"""Rasa NLU component: identifies the message language; see bot.language.detector."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import SUPPORTED_LANGUAGES
from bot.language.detector import LanguageDetector, LanguageResult, NaiveBayesModel

logger = logging.getLogger(__name__)

LANGUAGE = "language"
LANGUAGE_DETECTION = "language_detection"
_MODEL_FILE = "language_model.json"


def training_language(message: Message) -> str | None:
    """The language an NLU training example was written in (intent- or example-level metadata)."""
    metadata = message.get("metadata") or {}
    for level in ("example", "intent"):
        value = (metadata.get(level) or {}).get(LANGUAGE)
        if value:
            return str(value)
    return None


# Examples of these intents name or quote other languages ("en español por favor" in the German data),
# so they would teach the language model the wrong words.
MIXED_LANGUAGE_INTENTS = frozenset({"switch_language"})


def language_training_pairs(messages: List[Message]) -> List[tuple]:
    """(text, language) of the NLU examples the language model learns from."""
    pairs = []
    for message in messages:
        lang = training_language(message)
        if lang and message.get("intent") not in MIXED_LANGUAGE_INTENTS:
            pairs.append((message.get("text"), lang))
    return pairs


def hint_language(message: Message) -> str | None:
    """The language the channel says the page is in (`metadata.language`), if any."""
    metadata = message.get("metadata") or {}
    value = metadata.get(LANGUAGE) if isinstance(metadata, dict) else None
    return str(value).lower()[:2] if value else None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class LanguageIdentifier(GraphComponent):
    """Sets `language` (de/ro/nl/es) and `language_detection` (scores, flags) on every message.

    Registered as a tokenizer-type component so that it runs before the tokenizer, which needs the
    language to pick the spaCy pipeline and lemma table.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "languages": list(SUPPORTED_LANGUAGES),
            "langdetect_weight": 0.5,
            "lexicon_weight": 3.5,
            "hint_weight": 1.5,
            "unsupported_threshold": 0.9,
            # Use spacy-lookups-data word forms as evidence (loaded at model load, shared with the tokenizer).
            "use_lexicon": True,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: NaiveBayesModel | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._detector = self._make_detector(model) if model else None

    def _make_detector(self, model: NaiveBayesModel) -> LanguageDetector:
        lexicon = {}
        if self._config["use_lexicon"]:
            from bot.language.lexicon import vocabulary

            lexicon = {lang: vocabulary(lang) for lang in model.languages}
        return LanguageDetector(
            model,
            langdetect_weight=self._config["langdetect_weight"],
            lexicon_weight=self._config["lexicon_weight"],
            hint_weight=self._config["hint_weight"],
            unsupported_threshold=self._config["unsupported_threshold"],
            lexicon=lexicon,
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageIdentifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = language_training_pairs(training_data.intent_examples)
        missing = sum(1 for m in training_data.intent_examples if not training_language(m))
        if missing:
            logger.warning(f"{missing} NLU examples carry no `metadata: language`; they are ignored.")
        model = NaiveBayesModel.train(examples, self._config["languages"])
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _MODEL_FILE).write_text(json.dumps(model.to_dict()), encoding="utf-8")
        self._detector = self._make_detector(model)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageIdentifier:
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / _MODEL_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No trained language model found; every message will get the hint.")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, NaiveBayesModel.from_dict(data))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples are labelled: use the label, so the tokenizer lemmatises correctly.
        for message in training_data.training_examples:
            lang = training_language(message)
            if lang is None and message.get("text"):
                lang = self._identify(message).language if self._detector else None
            if lang:
                message.set(LANGUAGE, lang)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            result = self._identify(message)
            message.set(LANGUAGE, result.language, add_to_output=True)
            message.set(LANGUAGE_DETECTION, result.as_dict(), add_to_output=True)
        return messages

    def _identify(self, message: Message) -> LanguageResult:
        hint = hint_language(message)
        text = message.get("text") or ""
        if self._detector is None:
            lang = hint if hint and hint in self._config["languages"] else str(self._config["languages"][0])
            return LanguageResult(lang, 0.0, {}, has_language=False)
        return self._detector.detect(text, hint=hint)
