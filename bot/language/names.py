"""Recognises a requested language in a message ("auf Spanisch bitte", "in het Duits", "vorbiti romana?").

The names come from CLDR (Babel): every supported language's name in every supported language and in
English, with and without diacritics, plus the adjective forms CLDR lists as the language name.
"""

from __future__ import annotations

from functools import cache
from typing import Sequence

from babel import Locale

from bot import SUPPORTED_LANGUAGES
from bot.language.text import fold_diacritics, letter_words

_NAME_LANGUAGES = tuple(SUPPORTED_LANGUAGES) + ("en", "fr")
# Romanian uses the definite form ("limba română", "în română"); CLDR's name is "română", and customers
# often type the inflected "romana"/"romaneste": folded prefixes catch these.
_MIN_PREFIX = 5


@cache
def _names(languages: tuple[str, ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for target in languages:
        for in_language in _NAME_LANGUAGES:
            name = Locale.parse(target).get_display_name(in_language)
            if name:
                names[fold_diacritics(name.lower())] = target
        names[target] = target  # the bare code: "de", "nl"... only when written alone (see below)
    return names


def requested_language(text: str, languages: Sequence[str] = SUPPORTED_LANGUAGES) -> str | None:
    """The supported language a message names, or None. Ambiguous messages (two languages) give None."""
    names = _names(tuple(languages))
    words = [fold_diacritics(w) for w in letter_words(text)]
    found = set()
    for word in words:
        if word in languages and len(words) > 1:
            continue  # "de" / "es" are ordinary words in Spanish, Romanian and Dutch sentences
        if word in names:
            found.add(names[word])
            continue
        for name, target in names.items():
            if len(name) >= _MIN_PREFIX and (word.startswith(name[:_MIN_PREFIX]) and name.startswith(word[:_MIN_PREFIX])):
                found.add(target)
                break
    return found.pop() if len(found) == 1 else None
