"""Word forms of each supported language, from spacy-lookups-data's lemma tables.

Loaded once per process on first use (about 1 s and 30-60 MB per language) and shared by the tokenizer
(lemmas) and the language detector (is this a known German/Romanian/Dutch/Spanish word form?).
The raw JSON is read rather than a spacy `Table`, whose keys are hashes: the detector needs the forms.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.language.text import fold_diacritics


@cache
def lemma_table(lang: str) -> dict[str, str]:
    """Word form -> lemma, as spacy-lookups-data ships it for `lang`."""
    import spacy_lookups_data
    import srsly

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lemma_lookup.json.gz"
    table = srsly.read_gzip_json(path)
    return {str(form): str(lemma) for form, lemma in table.items()}


@cache
def vocabulary(lang: str) -> frozenset[str]:
    """Lower-cased, diacritic-folded word forms and lemmas of the language."""
    words = set()
    for form, lemma in lemma_table(lang).items():
        for word in (form, lemma):
            if len(word) > 1 and word.isalpha():
                words.add(fold_diacritics(word.lower()))
    return frozenset(words)
