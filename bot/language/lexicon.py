"""Word forms of each supported language, from spacy-lookups-data's lemma tables.

Loaded once per process on first use (about 1 s and 30-60 MB per language) and shared by the tokenizer
(lemmas) and the language detector (is this a known German/Romanian/Dutch/Spanish word form?).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.language.text import fold_diacritics


@lru_cache(maxsize=None)
def lemma_table(lang: str) -> Any:
    """spaCy's lookup lemma table for `lang` (a spacy.lookups.Table)."""
    from spacy.lookups import load_lookups

    return load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")


@lru_cache(maxsize=None)
def vocabulary(lang: str) -> frozenset[str]:
    """Lower-cased, diacritic-folded word forms and lemmas of the language."""
    words = set()
    for form, lemma in lemma_table(lang).items():
        for word in (form, lemma):
            if isinstance(word, str) and len(word) > 1 and word.isalpha():
                words.add(fold_diacritics(word.lower()))
    return frozenset(words)
