"""Folded text and the locales' word lists, shared by the NLU components and the actions.

Every locale's words count in every conversation: a customer may answer a German form with "ok" or "sí".
Matching is on folded text (lower case, no diacritics, single spaces), on whole words.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Dict, Tuple

from bot.language.text import fold_diacritics
from bot.locales import cached_locales


def fold(text: str) -> str:
    text = fold_diacritics(str(text).lower())
    text = re.sub(r"[„“”\"«»¿¡!?.,;()]+", " ", text)
    return " ".join(text.split())


def contains(folded_text: str, phrase: str) -> bool:
    """Whole-word containment of a folded phrase."""
    return bool(phrase) and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded_text) is not None


@cache
def word_list(group: str, language: str | None = None) -> Tuple[str, ...]:
    """A list-valued label group of every locale (or of one language's), folded, longest first."""
    words = {fold(w) for loc in cached_locales().values() if language in (None, loc.language)
             for w in (loc.labels.get(group) or [])}
    return tuple(sorted((w for w in words if w), key=len, reverse=True))


@cache
def word_map(group: str) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """A mapping label group (key -> words) of every locale, folded."""
    merged: Dict[str, set] = {}
    for loc in cached_locales().values():
        for key, words in (loc.labels.get(group) or {}).items():
            merged.setdefault(str(key), set()).update(fold(w) for w in words or [])
    return tuple((key, tuple(sorted(words, key=len, reverse=True))) for key, words in merged.items())
