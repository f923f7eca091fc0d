"""Evidence for open-set detection that DIET's softmax cannot give (used by bot.nlu.open_set).

A closed-set classifier spreads all its probability over the intents it knows, so "turn the bathroom lights
off" can get `faq/order_status` with 0.97. These features look at the message from outside the classifier:

- domain vocabulary: how much of the message is words the assistant's in-scope training data uses far
  more often than the language in general (wordfreq's general-language frequencies, per language);
- nearest examples: character n-gram cosine to the closest in-scope, uncovered-topic and out-of-scope
  training example of the message's language.

Features of a training example are computed leave-one-out (its own words and its own row do not count), so
the classifier on top learns from the evidence an unseen message would produce.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Sequence

import numpy as np

# Feature names, in the order of the vectors (also shown in the parse output as evidence).
FEATURES = (
    "domain_share", "domain_llr_mean", "domain_llr_max", "unknown_share",
    "nearest_in_scope", "nearest_uncovered", "nearest_out_of_scope", "in_minus_out", "log_words",
)
# Classes of the open-set classifier.
COVERED, UNCOVERED, UNRELATED = 0, 1, 2
_FLOOR = 1e-8  # general frequency of a word wordfreq does not know
_UNKNOWN_ZIPF = 1.0  # below this zipf frequency a word (often a name or a number) is evidence of nothing


def general_frequency(word: str, language: str) -> float:
    """wordfreq's frequency of the word in the language in general (0 if unknown)."""
    from wordfreq import word_frequency

    return float(word_frequency(word, language))


@dataclass
class Vocabulary:
    """Word counts of the in-scope training data of one language, against general-language frequency."""

    language: str
    domain: Counter = field(default_factory=Counter)
    total: int = 0
    _general: Dict[str, float] = field(default_factory=dict)

    def add(self, words: Iterable[str]) -> None:
        for word in words:
            self.domain[word] += 1
            self.total += 1

    def general(self, word: str) -> float:
        if word not in self._general:
            self._general[word] = general_frequency(word, self.language)
        return self._general[word]

    def evidence(self, words: Sequence[str], own: Counter | None = None) -> List[float]:
        """[domain_share, llr_mean, llr_max, unknown_share]; `own`: counts to leave out (leave-one-out)."""
        if not words:
            return [0.0, 0.0, 0.0, 0.0]
        own = own or Counter()
        total = max(self.total - sum(own.values()), 1)
        llrs, unknown, domain_words = [], 0, 0
        for word in words:
            count = self.domain.get(word, 0) - own.get(word, 0)
            general = self.general(word)
            if count <= 0 and general < 10 ** (_UNKNOWN_ZIPF - 9):  # zipf = log10(frequency) + 9
                unknown += 1
                continue
            domain_p = (count + 0.1) / total
            llr = math.log(domain_p) - math.log(max(general, _FLOOR))
            llrs.append(llr)
            domain_words += count > 0 and llr > 0
        known = len(llrs)
        mean = sum(llrs) / known if known else 0.0
        return [domain_words / len(words), mean, max(llrs) if llrs else 0.0, unknown / len(words)]


def nearest(similarities: np.ndarray, groups: np.ndarray, exclude: int | None = None) -> List[float]:
    """Highest similarity to a training example of each group (in scope, uncovered, out of scope)."""
    row = similarities.copy()
    if exclude is not None:
        row[exclude] = -1.0
    out = []
    for group in (COVERED, UNCOVERED, UNRELATED):
        members = row[groups == group]
        out.append(float(members.max()) if members.size else 0.0)
    return out


def vector(evidence: List[float], near: List[float], n_words: int) -> List[float]:
    """The feature vector in FEATURES order."""
    return [*evidence, near[0], near[1], near[2], max(near[0], near[1]) - near[2], math.log1p(n_words)]
