"""One message's TF-IDF vector, computed as a fitted scikit-learn TfidfVectorizer (sublinear_tf, norm l2)
transforms it, without building sparse matrices: the per-message transform cost about 1 ms a parse in each
component that used it (bot.nlu.second_opinion, bot.nlu.open_set). Tests compare both ways on real messages."""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, List, Mapping, Tuple

import numpy as np


class Weigher:
    """The fitted vectorizer's analyzer, vocabulary and idf, kept to weigh single messages."""

    def __init__(self, vectorizer: Any) -> None:
        if not (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2"):
            raise ValueError("Weigher computes sublinear tf x idf, L2-normalised: the vectorizer differs")
        self.analyzer: Callable[[str], List[str]] = vectorizer.build_analyzer()
        self.vocabulary: Mapping[str, int] = vectorizer.vocabulary_
        self.idf: np.ndarray = vectorizer.idf_

    def weigh(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        """(columns, values): 1 + log(count) times idf of each known term, L2-normalised; empty if none."""
        counts = Counter(i for i in (self.vocabulary.get(term) for term in self.analyzer(text)) if i is not None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weight = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[index]
        return index, weight / np.linalg.norm(weight)
