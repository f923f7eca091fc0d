"""Rasa NLU component: knows what the assistant does not know (open-set detection).

Runs after DIET and the ResponseSelector. From the evidence of bot.nlu.open_set_features (domain vocabulary
against general-language frequencies, nearest training examples of each kind) a small logistic regression,
trained at `rasa train` time on leave-one-out features of the NLU data, gives three probabilities: a covered
topic, an uncovered support topic, unrelated. It then

- overrides the intent with `out_of_scope` when the message is unrelated (whatever DIET said), and
- turns a covered FAQ answer into `faq/unanswered_contract_question` when the message is a support question
  the content does not answer ("where are my invoices?" must not get the payment-methods text),

and always adds `open_set` to the parse output: the probabilities, the features and, when it overrode,
the intent DIET had predicted. Why not only DIET's confidence: on unrelated text DIET is often confident
(0.96+) because its softmax must pick a known intent; the evidence here is independent of that choice.
Thresholds are tuned on the development split (tests/data/open_set/dev), never on the test split.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.language_identifier import LANGUAGE
from bot.nlu.open_set_features import COVERED, FEATURES, UNCOVERED, UNRELATED, Vocabulary, nearest, vector
from bot.nlu.tfidf import Weigher

logger = logging.getLogger(__name__)

OPEN_SET = "open_set"
OUT_OF_SCOPE = "out_of_scope"
RETRIEVAL_INTENT = "faq"
UNCOVERED_TOPIC = "faq/unanswered_contract_question"
_MODEL_FILE = "open_set.json"


def words_of(message: Message) -> List[str]:
    """Lemmas of the message's letter tokens (numbers, IDs and e-mail addresses carry no topic)."""
    return [t.lemma for t in (message.get("text_tokens") or []) if t.lemma and t.lemma.isalpha()]


def group_of(intent: str | None, uncovered_topic: str) -> int:
    if intent == OUT_OF_SCOPE:
        return UNRELATED
    return UNCOVERED if intent == uncovered_topic else COVERED


class _LanguageIndex:
    """Char n-gram TF-IDF of one language's training texts, with each text's group, for nearest examples."""

    def __init__(self, texts: List[str], groups: List[int]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True,
                                          strip_accents="unicode", min_df=1)
        self.matrix = self.vectorizer.fit_transform(texts)
        self.groups = np.asarray(groups)
        self._weigher = Weigher(self.vectorizer)
        self._by_term = self.matrix.T.tocsr()  # terms x texts: a message's terms select rows

    def similarities(self, text: str) -> np.ndarray:
        """Cosine of the message to every training text (what matrix @ vectorizer.transform([text]).T gives)."""
        columns, values = self._weigher.weigh(text)
        if not len(columns):
            return np.zeros(self.matrix.shape[0])
        return np.asarray(self._by_term[columns].T @ values).ravel()


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class OpenSetDetector(GraphComponent):
    """See the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # P(unrelated) at or above which the intent becomes out_of_scope.
            "unrelated_threshold": 0.5,
            # P(uncovered) at or above which a covered FAQ answer becomes the uncovered-topic answer.
            "uncovered_threshold": 0.5,
            "uncovered_topic": UNCOVERED_TOPIC,
            # Intents that carry data rather than a topic (form answers): never overridden, since a company
            # or person name looks unrelated to any vocabulary.
            "keep_intents": ["inform"],
            "regularisation": 1.0,
        }

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._vocabularies: Dict[str, Vocabulary] = {}
        self._indexes: Dict[str, _LanguageIndex] = {}
        self._texts: Dict[str, List[str]] = {}
        self._groups: Dict[str, List[int]] = {}
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None
        self._mean: np.ndarray | None = None
        self._scale: np.ndarray | None = None
        self._diagnostics: Dict[str, Any] = {}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> OpenSetDetector:
        return cls(config, model_storage, resource)

    # --- training ---------------------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        by_language: Dict[str, List[tuple[str, List[str], int]]] = {}
        for message in training_data.intent_examples:
            language, text = message.get(LANGUAGE), message.get("text")
            if language and text:
                group = group_of(message.get("intent_response_key") or message.get("intent"),
                                 self._config["uncovered_topic"])
                by_language.setdefault(language, []).append((text, words_of(message), group))
        rows, labels = [], []
        for language, examples in by_language.items():
            self._build_language(language, examples)
            index, vocabulary = self._indexes[language], self._vocabularies[language]
            similarities = (index.matrix @ index.matrix.T).toarray()
            for i, (_, words, group) in enumerate(examples):
                own = Counter(words) if group != UNRELATED else None
                near = nearest(similarities[i], index.groups, exclude=i)
                rows.append(vector(vocabulary.evidence(words, own), near, len(words)))
                labels.append(group)
        self._fit(np.asarray(rows), np.asarray(labels))
        self._persist()
        return self._resource

    def _build_language(self, language: str, examples: List[tuple[str, List[str], int]]) -> None:
        vocabulary = Vocabulary(language)
        for _, words, group in examples:
            if group != UNRELATED:
                vocabulary.add(words)
        self._vocabularies[language] = vocabulary
        self._texts[language] = [t for t, _, _ in examples]
        self._groups[language] = [g for _, _, g in examples]
        self._indexes[language] = _LanguageIndex(self._texts[language], self._groups[language])

    def _fit(self, features: np.ndarray, labels: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        self._mean, self._scale = features.mean(axis=0), features.std(axis=0) + 1e-9
        model = LogisticRegression(C=float(self._config["regularisation"]), class_weight="balanced", max_iter=2000)
        scaled = (features - self._mean) / self._scale
        model.fit(scaled, labels)
        self._diagnostics = cross_validated_rates(model, scaled, labels)
        # Keep the three classes in a fixed order even if one is missing from the data.
        coef, intercept = np.zeros((3, features.shape[1])), np.full(3, -1e3)
        for row, cls in enumerate(model.classes_):
            coef[int(cls)], intercept[int(cls)] = model.coef_[row], model.intercept_[row]
        self._coef, self._intercept = coef, intercept

    def _persist(self) -> None:
        assert self._coef is not None and self._intercept is not None
        assert self._mean is not None and self._scale is not None
        data = {
            "texts": self._texts, "groups": self._groups,
            "domain": {lang: dict(v.domain) for lang, v in self._vocabularies.items()},
            "coef": self._coef.tolist(), "intercept": self._intercept.tolist(),
            "mean": self._mean.tolist(), "scale": self._scale.tolist(), "diagnostics": self._diagnostics,
        }
        with self._storage.write_to(self._resource) as directory:
            (directory / _MODEL_FILE).write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> OpenSetDetector:
        detector = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / _MODEL_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No trained open-set detector found; intents are passed through unchanged.")
            return detector
        for language, texts in data["texts"].items():
            vocabulary = Vocabulary(language, Counter(data["domain"][language]))
            vocabulary.total = sum(vocabulary.domain.values())
            detector._vocabularies[language] = vocabulary
            detector._indexes[language] = _LanguageIndex(texts, data["groups"][language])
        detector._coef, detector._intercept = np.asarray(data["coef"]), np.asarray(data["intercept"])
        detector._mean, detector._scale = np.asarray(data["mean"]), np.asarray(data["scale"])
        return detector

    # --- inference ----------------------------------------------------------------------------------
    def probabilities(self, message: Message) -> tuple[np.ndarray, List[float]] | None:
        language = message.get(LANGUAGE)
        if self._coef is None or language not in self._indexes or not message.get("text"):
            return None
        words = words_of(message)
        index = self._indexes[language]
        near = nearest(index.similarities(message.get("text")), index.groups)
        features = vector(self._vocabularies[language].evidence(words), near, len(words))
        assert self._mean is not None and self._scale is not None and self._intercept is not None
        scores = self._coef @ ((np.asarray(features) - self._mean) / self._scale) + self._intercept
        exp = np.exp(scores - scores.max())
        return exp / exp.sum(), features

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            result = self.probabilities(message)
            if result is None:
                continue
            probabilities, features = result
            evidence: Dict[str, Any] = {
                "covered": round(float(probabilities[COVERED]), 4),
                "uncovered": round(float(probabilities[UNCOVERED]), 4),
                "unrelated": round(float(probabilities[UNRELATED]), 4),
                "features": {name: round(float(v), 4) for name, v in zip(FEATURES, features, strict=True)},
            }
            intent = (message.get("intent") or {}).get("name")
            if intent not in self._config["keep_intents"]:
                self._decide(message, intent, probabilities, evidence)
            message.set(OPEN_SET, evidence, add_to_output=True)
        return messages

    def _decide(self, message: Message, intent: str | None, probabilities: np.ndarray, evidence: Dict[str, Any]) -> None:
        unrelated, uncovered = float(probabilities[UNRELATED]), float(probabilities[UNCOVERED])
        if intent != OUT_OF_SCOPE and unrelated >= float(self._config["unrelated_threshold"]):
            evidence["original_intent"] = intent
            set_intent(message, OUT_OF_SCOPE, unrelated)
        elif intent == RETRIEVAL_INTENT and uncovered >= float(self._config["uncovered_threshold"]):
            selected = ((message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("response") or {}
            if selected.get("intent_response_key") != self._config["uncovered_topic"]:
                evidence["original_intent"] = selected.get("intent_response_key") or intent
                select_response(message, self._config["uncovered_topic"], uncovered)


def cross_validated_rates(model: Any, features: np.ndarray, labels: np.ndarray) -> Dict[str, Any]:
    """Per threshold, the share of each training group the detector would reject, from 5-fold predictions.

    Stored in the model so thresholds can be tuned without touching test data: the in-scope side of the
    trade-off comes from here, the unrelated/uncovered side from tests/data/open_set/dev (bench.open_set_tune).
    """
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_predict

    if min(np.bincount(labels, minlength=3)) < 5:
        return {}
    probabilities = cross_val_predict(clone(model), features, labels, cv=5, method="predict_proba")
    rates: Dict[str, Any] = {}
    for threshold in np.round(np.arange(0.3, 0.96, 0.05), 2):
        rates[str(threshold)] = {
            "covered_as_unrelated": float(np.mean(probabilities[labels == COVERED, UNRELATED] >= threshold)),
            "covered_as_uncovered": float(np.mean(probabilities[labels == COVERED, UNCOVERED] >= threshold)),
            "unrelated_caught": float(np.mean(probabilities[labels == UNRELATED, UNRELATED] >= threshold)),
            "uncovered_caught": float(np.mean(probabilities[labels == UNCOVERED, UNCOVERED] >= threshold)),
        }
    return {"cross_validated_rates": rates}


def set_intent(message: Message, name: str, confidence: float) -> None:
    intent = {"name": name, "confidence": confidence}
    ranking = [r for r in (message.get("intent_ranking") or []) if r.get("name") != name]
    message.set("intent", intent, add_to_output=True)
    message.set("intent_ranking", [intent] + ranking, add_to_output=True)


def select_response(message: Message, intent_response_key: str, confidence: float,
                    ranking: List[tuple[str, float]] | None = None) -> None:
    """Make the ResponseSelector's answer the given retrieval response (what ActionRetrieveResponse reads), with
    this confidence and, if given, this topic ranking (best first)."""
    selector = dict(message.get("response_selector") or {})
    for key in (RETRIEVAL_INTENT, "default"):
        if key in selector:
            entry = dict(selector[key])
            response = dict(entry.get("response") or {})
            if response.get("intent_response_key") != intent_response_key:
                # ActionRetrieveResponse reads the utter action; the texts come from the domain.
                response.update({"intent_response_key": intent_response_key,
                                 "utter_action": f"utter_{intent_response_key}", "responses": []})
            entry["response"] = {**response, "confidence": confidence}
            if ranking is not None:
                entry["ranking"] = [{"intent_response_key": k, "confidence": c} for k, c in ranking]
            selector[key] = entry
    message.set("response_selector", selector, add_to_output=True)
