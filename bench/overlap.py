"""How close each evaluation message is to the training data of its language: the largest word-set (Jaccard)
overlap with any training example, after folding case, accents and punctuation.

Exact copies are refused by tests/test_data.py; this shows the near copies (one word changed, a word added)
that an exact check lets through, so a benchmark can also report its figure on the messages far from training.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

NEAR_COPY = 0.7  # e.g. 7 of 10 distinct words shared: a reworded training example, not new wording


def words(text: str) -> frozenset[str]:
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return frozenset(re.sub(r"[^\w\s]+", " ", text).split())


def training_words(folder: Path) -> dict[str, list[frozenset[str]]]:
    """Word sets of every training example under folder (data/nlu layout), by the block's language."""
    out: dict[str, list[frozenset[str]]] = {}
    for path in sorted(folder.glob("**/*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            language = str((block.get("metadata") or {}).get("language"))
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    out.setdefault(language, []).append(words(line.strip()[2:]))
    return out


def closest(text: str, examples: list[frozenset[str]]) -> float:
    mine = words(text)
    return max((len(mine & other) / len(mine | other) for other in examples if mine | other), default=0.0)
