"""Rasa tokenizer: per-language spaCy tokenization and lookup lemmas, one pipeline for all languages.

Each message is tokenized by a blank spaCy pipeline of its language (set by LanguageIdentifier) with the
`spacy-lookups-data` lemma table. Lemmas are lower-cased and stripped of diacritics so that "reziliere",
"Reziliére" and "reziliez" meet in the featurizers; Romanian and Spanish customers often omit diacritics,
so the lemma tables are also searched by their folded forms.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot import SUPPORTED_LANGUAGES
from bot.language.text import fold_diacritics, strip_markup
from bot.nlu.language_identifier import LANGUAGE

logger = logging.getLogger(__name__)


class _LemmaPipeline:
    """A blank spaCy pipeline for tokenization and the language's lookup lemma table.

    The table is shared with the language detector (bot.language.lexicon), so it is loaded once.
    """

    def __init__(self, lang: str, fold_table: bool) -> None:
        import spacy

        from bot.language.lexicon import lemma_table

        self.nlp = spacy.blank(lang)
        self._table = lemma_table(lang)
        self._folded: Dict[str, str] = {}
        if fold_table:
            for form, lemma in self._table.items():
                self._folded.setdefault(fold_diacritics(form.lower()), lemma)

    def lemma(self, text: str) -> str:
        for candidate in (text, text.lower(), text.capitalize()):
            found = self._table.get(candidate)
            if found:
                return str(found)
        return self._folded.get(fold_diacritics(text.lower()), text)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class MultilingualSpacyTokenizer(Tokenizer):
    """Tokenizes with the spaCy pipeline of the message's language; see the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "languages": list(SUPPORTED_LANGUAGES),
            # Languages whose customers often omit diacritics: look lemmas up by folded form too.
            "fold_lookup_languages": ["ro", "es"],
            # Only the beginning of a very long message is read: understanding needs no more, and it
            # keeps a 20,000-character paste from costing seconds of CPU.
            "max_chars": 1000,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        self._languages: List[str] = list(config["languages"])
        self._fold = set(config["fold_lookup_languages"])
        self._max_chars = int(config["max_chars"])
        self._pipelines: Dict[str, _LemmaPipeline] = {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MultilingualSpacyTokenizer:
        tokenizer = cls(config)
        tokenizer.warm_up()
        return tokenizer

    def warm_up(self) -> None:
        """Builds every language's pipeline now (at model load), not on a customer's first message."""
        for lang in self._languages:
            self._pipeline(lang)

    def _pipeline(self, lang: str | None) -> _LemmaPipeline:
        lang = lang if lang in self._languages else self._languages[0]
        if lang not in self._pipelines:
            self._pipelines[lang] = _LemmaPipeline(lang, fold_table=lang in self._fold)
        return self._pipelines[lang]

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        raw = message.get(attribute) or ""
        text = strip_markup(raw[: self._max_chars]) if attribute == "text" else raw
        pipeline = self._pipeline(message.get(LANGUAGE))
        doc = pipeline.nlp.make_doc(text)
        tokens = []
        for token in doc:
            if token.is_space or token.is_punct:
                continue
            lemma = fold_diacritics(pipeline.lemma(token.text).lower())
            tokens.append(Token(token.text, token.idx, lemma=lemma))
        if not tokens:
            return []
        return self._apply_token_pattern(tokens)
