"""Text normalisation shared by language identification and input checks."""

from __future__ import annotations

import html
import re
import unicodedata

MARKUP_TAG = re.compile(r"<[A-Za-z/!][^>]{0,500}>")
# Script and style elements hold code, not words: drop their content with the tags.
_CODE_ELEMENT = re.compile(r"<(script|style)\b[^>]{0,500}>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\S+")
# A "word" for language purposes: letters only (digits, IDs and punctuation carry no language).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def strip_markup(text: str) -> str:
    """Removes HTML/XML tags and decodes entities, so `<b>Hallo</b>` reads as `Hallo`."""
    return html.unescape(MARKUP_TAG.sub(" ", _CODE_ELEMENT.sub(" ", text)))


def letter_words(text: str) -> list[str]:
    """Lower-cased words made of letters, without URLs, e-mail addresses, markup or numbers."""
    text = unicodedata.normalize("NFC", strip_markup(text))
    text = _EMAIL.sub(" ", _URL.sub(" ", text))
    return [w.lower() for w in _WORD.findall(text)]


class _FoldTable(dict):
    """Code point -> the character without its combining marks, computed on first use (for str.translate)."""

    def __missing__(self, codepoint: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(codepoint))
        folded = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


def fold_diacritics(word: str) -> str:
    """`contractul`, `reînnoire` -> `reinnoire`: customers often type without diacritics.

    Character by character through a cached table: loading a model folds the lemma tables' 3.5 million
    word forms, which decomposing each whole word made cost 15 s of every Rasa server start."""
    return word if word.isascii() else word.translate(_FOLD)
