"""Language identification for short customer messages.

Plain langdetect is unreliable on chat-sized input ("Hallo" -> fi, "Hola" -> tr). This detector combines
three kinds of evidence over the supported languages only:

1. a multinomial naive Bayes model over words and character n-grams, learned from the training
   examples (each carries its language in the NLU data's metadata) at `rasa train` time;
2. langdetect's profiles, restricted to the supported languages;
3. an optional hint (the page's or channel's language), as a prior.

It also tells when a message is confidently in a language the assistant does not speak (English, French,
...), and when a message has no language at all ("ok", "ServicePac?", a contract number, an emoji).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from bot import SUPPORTED_LANGUAGES
from bot.language.text import fold_diacritics, letter_words

# Product and brand names appear in every language's messages and carry no language evidence.
NEUTRAL_TERMS = frozenset(
    {
        "ibm", "ibmid", "id", "servicepac", "servicepacs", "passport", "advantage", "pao", "pa",
        "contracts", "online", "ok", "okay", "sw", "hw", "email", "mail", "e", "q", "ct", "nr",
        "req", "faq", "url", "pdf", "pc", "it",
    }
)


def message_features(words: Sequence[str], max_ngram: int = 4) -> list[str]:
    """Word and boundary-padded character n-gram features of one message."""
    features: list[str] = []
    for word in words:
        features.append("w:" + word)
        padded = f" {word} "
        for n in range(1, max_ngram + 1):
            features.extend("c:" + padded[i : i + n] for i in range(len(padded) - n + 1))
    return features


@dataclass
class NaiveBayesModel:
    """Multinomial naive Bayes over message features; persisted as plain JSON."""

    languages: list[str]
    counts: dict[str, dict[str, int]]
    totals: dict[str, int]
    vocabulary_size: int
    alpha: float = 0.5
    word_vocabulary: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def train(
        cls, examples: Iterable[tuple[str, str]], languages: Sequence[str], alpha: float = 0.5
    ) -> NaiveBayesModel:
        counts: dict[str, Counter[str]] = {lang: Counter() for lang in languages}
        words_seen: dict[str, set[str]] = {lang: set() for lang in languages}
        for text, lang in examples:
            if lang not in counts:
                continue
            words = [w for w in letter_words(text) if w not in NEUTRAL_TERMS]
            counts[lang].update(message_features(words))
            words_seen[lang].update(words)
        vocabulary = set().union(*(c.keys() for c in counts.values()))
        return cls(
            languages=list(languages),
            counts={lang: dict(c) for lang, c in counts.items()},
            totals={lang: sum(c.values()) for lang, c in counts.items()},
            vocabulary_size=max(1, len(vocabulary)),
            alpha=alpha,
            word_vocabulary={lang: sorted(ws) for lang, ws in words_seen.items()},
        )

    def log_likelihoods(self, features: Sequence[str]) -> dict[str, float]:
        scores = {}
        for lang in self.languages:
            lang_counts = self.counts[lang]
            denominator = math.log(self.totals[lang] + self.alpha * self.vocabulary_size)
            scores[lang] = sum(
                math.log(lang_counts.get(f, 0) + self.alpha) - denominator for f in features
            )
        return scores

    def to_dict(self) -> dict[str, Any]:
        return {
            "languages": self.languages,
            "counts": self.counts,
            "totals": self.totals,
            "vocabulary_size": self.vocabulary_size,
            "alpha": self.alpha,
            "word_vocabulary": self.word_vocabulary,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NaiveBayesModel:
        return cls(**data)


@dataclass(frozen=True)
class LanguageResult:
    """What the detector concluded about one message."""

    language: str  # always a supported language (the hint or the first supported one when unsure)
    confidence: float  # posterior of `language` judged on the text alone, 0 when the text has no words
    scores: dict[str, float]  # posterior per supported language, text alone
    has_language: bool  # False for "ok", numbers, emoji, product names
    unsupported_language: str | None = None  # e.g. "en" when confidently in another language
    # Per language: every word of the message is a known word of that language ("Hallo" fits de and nl).
    fits: dict[str, bool] = field(default_factory=dict)
    # For each word (the first 50), the languages it is a known word of: switching needs a word the new
    # language knows and the current one does not, so names and unknown words never switch.
    word_languages: list[list[str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "confidence": round(self.confidence, 4),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "has_language": self.has_language,
            "unsupported_language": self.unsupported_language,
            "fits": self.fits,
            "word_languages": self.word_languages,
        }


def _softmax(logits: Mapping[str, float]) -> dict[str, float]:
    top = max(logits.values())
    exps = {k: math.exp(v - top) for k, v in logits.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


class _LangDetect:
    """langdetect factories, built once per process on first use (loading profiles takes ~0.3 s)."""

    _restricted: Any = None
    _full: Any = None
    _restricted_languages: tuple[str, ...] = ()

    @classmethod
    def factories(cls, languages: Sequence[str]) -> tuple[Any, Any]:
        if cls._restricted is None or cls._restricted_languages != tuple(languages):
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            full = DetectorFactory()
            full.load_profile(PROFILES_DIRECTORY)
            # The restricted factory is the full one cut down to our languages (profiles are read once).
            keep = [full.langlist.index(lang) for lang in languages]
            restricted = DetectorFactory()
            restricted.langlist = [full.langlist[i] for i in keep]
            restricted.word_lang_prob_map = {
                word: [probs[i] for i in keep]
                for word, probs in full.word_lang_prob_map.items()
                if any(probs[i] for i in keep)
            }
            restricted.seed = full.seed = 0  # langdetect samples randomly: make it repeatable
            cls._restricted, cls._full, cls._restricted_languages = restricted, full, tuple(languages)
        return cls._restricted, cls._full

    @staticmethod
    def probabilities(factory: Any, text: str) -> dict[str, float]:
        from langdetect.lang_detect_exception import LangDetectException

        detector = factory.create()
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:  # no usable features
            return {}
        return {r.lang: r.prob for r in ranked}


def langdetect_restricted(text: str, languages: Sequence[str] = SUPPORTED_LANGUAGES) -> dict[str, float]:
    """langdetect's probabilities over the given languages only (empty when it has no evidence)."""
    restricted, _ = _LangDetect.factories(languages)
    return _LangDetect.probabilities(restricted, text)


def langdetect_full(text: str) -> dict[str, float]:
    """Plain langdetect over all of its 55 languages."""
    _, full = _LangDetect.factories(SUPPORTED_LANGUAGES)
    return _LangDetect.probabilities(full, text)


@dataclass
class LanguageDetector:
    """Combines the learned model, restricted langdetect and a hint; see the module docstring."""

    model: NaiveBayesModel
    langdetect_weight: float = 0.5
    hint_weight: float = 1.5
    unsupported_threshold: float = 0.9
    unsupported_min_words: int = 3
    unsupported_max_coverage: float = 0.5
    lexicon_weight: float = 3.5
    # Word forms per language (bot.language.lexicon); empty = learned evidence and langdetect only.
    lexicon: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._training_vocabulary = {
            lang: frozenset(words) for lang, words in self.model.word_vocabulary.items()
        }

    @property
    def languages(self) -> list[str]:
        return self.model.languages

    def detect(self, text: str, hint: str | None = None) -> LanguageResult:
        words = [w for w in letter_words(text) if w not in NEUTRAL_TERMS and len(w) > 1]
        fallback = hint if hint in self.languages else self.languages[0]
        if not words:
            uniform = {lang: 1.0 / len(self.languages) for lang in self.languages}
            return LanguageResult(fallback, 0.0, uniform, has_language=False)

        features = message_features(words)
        # Scale the summed log-likelihood so that longer messages are more certain, but a single word
        # is not judged as if its dozens of n-grams were independent evidence.
        loglik = self.model.log_likelihoods(features)
        scale = math.sqrt(len(words)) / max(1, len(features))
        logits = {lang: score * scale * 4.0 for lang, score in loglik.items()}

        clean_text = " ".join(words)
        ld = langdetect_restricted(clean_text, self.languages)
        if ld:
            for lang in self.languages:
                logits[lang] += self.langdetect_weight * math.log(max(ld.get(lang, 0.0), 1e-3))

        known = [self._known_in(word) for word in words]  # per word, the languages it is a word of
        for known_in in known:
            if 0 < len(known_in) < len(self.languages):
                for lang in known_in:
                    logits[lang] += self.lexicon_weight
        fits = {lang: all(lang in known_in for known_in in known) for lang in self.languages}

        scores = _softmax(logits)
        unsupported = self._unsupported(clean_text, known)
        # A lone word nobody knows (a name, "xyz") gives a guess, but no grounds to switch languages.
        has_language = any(known) or len(words) >= 2
        word_languages = [sorted(known_in) for known_in in known[:50]]
        ranked = dict(logits)
        if hint in self.languages:
            ranked[hint] += self.hint_weight
        best = max(ranked, key=ranked.__getitem__)
        return LanguageResult(best, scores[best], scores, has_language, unsupported, fits, word_languages)

    def _known_in(self, word: str) -> set[str]:
        """The languages whose training data or lexicon contain the word (diacritics folded)."""
        folded = fold_diacritics(word)
        return {
            lang
            for lang in self.languages
            if word in self._training_vocabulary.get(lang, ()) or folded in self.lexicon.get(lang, ())
        }

    def _unsupported(self, clean_text: str, known: Sequence[set[str]]) -> str | None:
        """The language code when a message is confidently in a language we do not speak.

        langdetect alone is not trusted (it calls some plain Spanish sentences Italian): the message
        must also be mostly unknown to every supported language's word list (`known`: per word, the
        supported languages it is a word of).
        """
        if len(known) < self.unsupported_min_words:
            return None
        coverage = max(sum(lang in known_in for known_in in known) / len(known) for lang in self.languages)
        if coverage >= self.unsupported_max_coverage:
            return None  # mostly words of a supported language: no need to ask langdetect (7 ms)
        probabilities = langdetect_full(clean_text)
        if not probabilities:
            return None
        top = max(probabilities, key=probabilities.__getitem__)
        if top in self.languages or probabilities[top] < self.unsupported_threshold:
            return None
        return top
