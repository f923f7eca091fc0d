"""The note said when the customer's language has no content for their country (German on a Belgian page).

The answer then comes from the country's locale (facts follow the country); the note, in the customer's
language, says why. It is said once: on the first reply after the language or country changed.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from bot.locales import Locale, cached_locales, fallback_note_locale, resolve_locale
from bot.render import render

LANGUAGE_SLOTS = frozenset({"language", "country"})


def note_text(language: str | None, country: str | None, locales: Mapping[str, Locale] | None = None) -> str | None:
    """The note in the customer's language, or None when the answer is in that language anyway."""
    locales = locales if locales is not None else cached_locales()
    note_locale = fallback_note_locale(language, country, locales)
    if note_locale is None:
        return None
    answering = resolve_locale(language, country, locales)
    country_name = (note_locale.labels.get("countries") or {}).get(answering.country, answering.country)
    language_name = (note_locale.labels.get("languages") or {}).get(answering.language, answering.language)
    return render(note_locale, "utter_locale_fallback_note", country=country_name, language=language_name).text


def note_due(events_since_user_message: Iterable[tuple[str, str | None]]) -> bool:
    """True on the first reply after this message changed the language or country.

    events_since_user_message: (event type, slot name or None) of the events after the latest user message.
    """
    changed = False
    for kind, name in events_since_user_message:
        if kind == "bot":
            return False
        if kind == "slot" and name in LANGUAGE_SLOTS:
            changed = True
    return changed


def with_note(text: str, note: str | None) -> str:
    return f"{note}\n\n{text}" if note and text else text
