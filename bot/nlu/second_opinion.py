"""Rasa NLU component: a second opinion on the message's label, blended with DIET's and the ResponseSelector's.

DIET here is a bag-of-features classifier trained on four languages at once, with 6,000 character n-grams
shared between them. A per-language linear model over that language's own character and word n-grams
(TF-IDF, logistic regression) sees wording DIET's shared features lose; their errors differ, so a blend is
right more often than either. Each label's score becomes (1 - weight) x DIET's (P(faq) x P(topic | faq) for a
FAQ topic) + weight x the linear model's; the intent ranking, the intent and the selected FAQ answer are
rewritten from the blend, before the FallbackClassifier and the open-set detector judge it. Chosen and
weighted on the development splits only (bench.second_opinion: tests/data/nlu_dev2 and
tests/data/open_set/dev); the parse output keeps both opinions (`second_opinion`).

Kept in the model as JSON and NumPy arrays (no pickle: a model file must not be able to run code).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Mapping, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.lifecycle.parsing import topic_scores
from bot.nlu.language_identifier import LANGUAGE, LANGUAGE_DETECTION, hint_language, training_language
from bot.nlu.open_set import RETRIEVAL_INTENT, select_response
from bot.nlu.tfidf import Weigher

logger = logging.getLogger(__name__)

SECOND_OPINION = "second_opinion"
_JSON, _ARRAYS = "second_opinion.json", "second_opinion.npz"
# Character n-grams within words (robust to typos and inflection) and word uni/bigrams (word order).
_VECTORIZERS: Tuple[Dict[str, Any], ...] = (
    {"analyzer": "char_wb", "ngram_range": (2, 5)},
    {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"},
)


def _vectorizer(settings: Mapping[str, Any], vocabulary: Dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, strip_accents="unicode", lowercase=True, vocabulary=vocabulary,
                           **settings)


class LanguageModel:
    """One language's n-gram TF-IDF features and multinomial logistic regression."""

    def __init__(self, vectorizers: List[Any], classes: List[str], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.vectorizers, self.classes, self.intercept = vectorizers, classes, intercept
        # (features x labels), contiguous: rows of one message's features are gathered on every parse.
        self._weights = np.ascontiguousarray(coef.T)
        # Per vectorizer: its weigher (bot.nlu.tfidf) and first column.
        self._parts, offset = [], 0
        for vectorizer in vectorizers:
            self._parts.append((Weigher(vectorizer), offset))
            offset += len(vectorizer.vocabulary_)

    @classmethod
    def fit(cls, texts: List[str], labels: List[str], regularisation: float = 30.0,
            balanced: bool = False) -> LanguageModel:
        from scipy.sparse import hstack
        from sklearn.linear_model import LogisticRegression

        vectorizers = [_vectorizer(settings) for settings in _VECTORIZERS]
        features = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        # balanced: each label weighs the same whatever its number of examples (out_of_scope has 250+ per
        # language, a chit-chat intent 30-60), so a short message is not pulled to the biggest label.
        classifier = LogisticRegression(C=regularisation, max_iter=3000, class_weight="balanced" if balanced else None)
        classifier.fit(features, labels)
        return cls(vectorizers, [str(c) for c in classifier.classes_], classifier.coef_.astype(np.float32),
                   classifier.intercept_.astype(np.float32))

    def features(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        """The message's TF-IDF features as (columns, values): per vectorizer 1 + log(count) times idf,
        L2-normalised, exactly as the fitted TfidfVectorizers (sublinear_tf, norm l2) transform it."""
        columns, values = [], []
        for weigher, offset in self._parts:
            index, weight = weigher.weigh(text)
            if len(index):
                columns.append(index + offset)
                values.append(weight)
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    def scores(self, text: str) -> Dict[str, float]:
        """P(label | text): the logistic regression's softmax, computed from its kept weights."""
        columns, values = self.features(text)
        logits = values @ self._weights[columns] + self.intercept
        exp = np.exp(logits - logits.max())
        return {label: float(p) for label, p in zip(self.classes, exp / exp.sum(), strict=True)}

    def to_data(self) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
        vocabularies = [{term: int(i) for term, i in v.vocabulary_.items()} for v in self.vectorizers]
        arrays = {f"idf{i}": v.idf_ for i, v in enumerate(self.vectorizers)}
        return {"classes": self.classes, "vocabularies": vocabularies}, {**arrays, "coef": self._weights.T,
                                                                           "intercept": self.intercept}

    @classmethod
    def from_data(cls, data: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> LanguageModel:
        vectorizers = []
        for i, (settings, vocabulary) in enumerate(zip(_VECTORIZERS, data["vocabularies"], strict=True)):
            vectorizer = _vectorizer(settings, vocabulary)
            vectorizer.idf_ = arrays[f"idf{i}"]
            vectorizers.append(vectorizer)
        return cls(vectorizers, list(data["classes"]), arrays["coef"], arrays["intercept"])


def diet_scores(parse: Mapping[str, Any]) -> Dict[str, float]:
    """DIET's and the ResponseSelector's opinion per label: P(faq) x P(topic | faq) for FAQ topics."""
    return {label: score for score, label in topic_scores(parse) if label != RETRIEVAL_INTENT}


def blend(diet: Mapping[str, float], other: Mapping[str, float], weight: float
          ) -> Tuple[List[Tuple[str, float]], List[Tuple[str, float]]]:
    """The blended intent ranking (FAQ topics summed into `faq`) and FAQ topic ranking (sharing P(faq)), best
    first."""
    labels = set(diet) | set(other)
    scores = {label: (1 - weight) * diet.get(label, 0.0) + weight * other.get(label, 0.0) for label in labels}
    topics = sorted(((k, v) for k, v in scores.items() if k.startswith(f"{RETRIEVAL_INTENT}/")), key=lambda kv: -kv[1])
    intents = {k: v for k, v in scores.items() if not k.startswith(f"{RETRIEVAL_INTENT}/")}
    faq = sum(v for _, v in topics)
    if topics:
        intents[RETRIEVAL_INTENT] = faq
    ranking = sorted(intents.items(), key=lambda kv: -kv[1])
    return ranking, [(k, v / faq) for k, v in topics] if faq > 0 else []


def reading_language(message: Message, conversation_language: str | None) -> str | None:
    """The language whose model reads the message: the conversation's (else the page's) when every word of the
    message is a word of it — "da" in a Romanian conversation is Romanian, though alone it looks Spanish, as
    bot.language.conversation never switches on such a message — otherwise the detected one."""
    detected = message.get(LANGUAGE)
    fits = (message.get(LANGUAGE_DETECTION) or {}).get("fits") or {}
    preferred = conversation_language or hint_language(message)
    return preferred if preferred and preferred != detected and fits.get(preferred) else detected


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SecondOpinion(GraphComponent):
    """See the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"weight": 0.7, "regularisation": 30.0, "ranking_length": 10}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 models: Dict[str, LanguageModel] | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self.models: Dict[str, LanguageModel] = models or {}
        self.weight = float(self._config["weight"])

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SecondOpinion:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        by_language: Dict[str, Tuple[List[str], List[str]]] = {}
        for message in training_data.intent_examples:
            language = message.get(LANGUAGE) or training_language(message)
            label = message.get("intent_response_key") or message.get("intent")
            if language and label and message.get("text"):
                texts, labels = by_language.setdefault(language, ([], []))
                texts.append(message.get("text"))
                labels.append(label)
        self.models = {language: LanguageModel.fit(texts, labels, float(self._config["regularisation"]))
                       for language, (texts, labels) in by_language.items() if len(set(labels)) > 1}
        data, arrays = {}, {}
        for language, model in self.models.items():
            data[language], language_arrays = model.to_data()
            arrays.update({f"{language}.{name}": value for name, value in language_arrays.items()})
        with self._storage.write_to(self._resource) as directory:
            (directory / _JSON).write_text(json.dumps(data), encoding="utf-8")
            np.savez_compressed(directory / _ARRAYS, **arrays)
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SecondOpinion:
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / _JSON).read_text(encoding="utf-8"))
                with np.load(directory / _ARRAYS, allow_pickle=False) as stored:
                    arrays = {name: stored[name] for name in stored.files}
        except (ValueError, FileNotFoundError, OSError):
            logger.warning("No trained second opinion found; DIET's ranking is passed through unchanged.")
            return cls(config, model_storage, resource)
        models = {language: LanguageModel.from_data(
            entry, {name.split(".", 1)[1]: a for name, a in arrays.items() if name.startswith(f"{language}.")})
            for language, entry in data.items()}
        return cls(config, model_storage, resource, models)

    def process(self, messages: List[Message], tracker: DialogueStateTracker | None = None) -> List[Message]:
        current = tracker.get_slot(LANGUAGE) if tracker is not None and LANGUAGE in tracker.slots else None
        for message in messages:
            language = reading_language(message, current)
            model = self.models.get(str(language))
            if model is None or self.weight <= 0.0 or not message.get("text") or not message.get("intent_ranking"):
                continue
            self.apply(message, diet_scores(message.as_dict()), model.scores(message.get("text")), language)
        return messages

    def apply(self, message: Message, diet: Dict[str, float], other: Dict[str, float],
              language: str | None = None) -> None:
        ranking, topics = blend(diet, other, self.weight)
        length = int(self._config["ranking_length"])
        message.set(SECOND_OPINION, {
            "language": language,
            "diet": max(diet, key=lambda k: diet[k]) if diet else None,
            "linear": max(other, key=lambda k: other[k]) if other else None,
            "linear_confidence": round(max(other.values()), 4) if other else None,
            "weight": self.weight,
        }, add_to_output=True)
        intent_ranking = [{"name": name, "confidence": round(score, 6)} for name, score in ranking[:length]]
        message.set("intent", intent_ranking[0], add_to_output=True)
        message.set("intent_ranking", intent_ranking, add_to_output=True)
        if topics:
            select_response(message, topics[0][0], topics[0][1], topics[:length])
