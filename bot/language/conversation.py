"""Decides the conversation's language and country after each customer message.

Rules, in order:
1. The page or channel says which language and country it shows (`metadata.language` / `country`):
   that sets them at the start, and a change of the page's language (the picker) switches them.
2. A message that asks to switch ("auf Spanisch bitte") switches to the named language.
3. Otherwise a message switches the language only when it is confidently in another supported language
   and has a word of that language that is not a word of the current one; "ok", "ServicePac?", a contract
   number, an emoji or a name never do, and neither does an answer to a form's question (it is data).
4. The page's country (`metadata.country`, remembered as `page_country`) is kept across language
   switches: facts follow the customer's country. Without one the country follows the language
   (nl -> Belgium unless told NL). A language the country has no locale in (German + BE) keeps the pair;
   `bot.locales.resolve_locale` then answers with the country's locale and a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from bot import SUPPORTED_LANGUAGES
from bot.language.names import requested_language
from bot.locales import Locale, resolve_locale

# A message must be at least this sure, and this far ahead of the current language, to switch.
SWITCH_CONFIDENCE = 0.9
SWITCH_MARGIN = 0.6


@dataclass(frozen=True)
class LanguageState:
    language: str
    country: str
    page_language: str | None  # the page language last seen in metadata, to notice the picker


def _metadata_locale(metadata: Mapping[str, Any]) -> tuple[str | None, str | None]:
    language = str(metadata.get("language") or "").strip().lower()
    country = str(metadata.get("country") or "").strip().upper()
    if "-" in language or "_" in language:  # "nl-NL" given as the language
        language, _, from_locale = language.replace("_", "-").partition("-")
        country = country or from_locale.upper()
    return (language if language in SUPPORTED_LANGUAGES else None), (country or None)


def metadata_country(metadata: Mapping[str, Any]) -> str | None:
    """The country the page says it is for (`metadata.country`, or the country of a locale given as language)."""
    return _metadata_locale(metadata)[1]


def decide(
    current: LanguageState | None,
    parse_data: Mapping[str, Any],
    metadata: Mapping[str, Any] | None,
    locales: Mapping[str, Locale] | None = None,
    in_form: bool = False,
    page_country: str | None = None,
) -> LanguageState:
    """The conversation's language state after the message described by parse_data and metadata.

    page_country: the country a page told earlier in this conversation (kept across switches).
    """
    meta_language, meta_country = _metadata_locale(metadata or {})
    home_country = meta_country or (page_country.upper() if page_country else None)
    intent = (parse_data.get("intent") or {}).get("name")
    detection = parse_data.get("language_detection") or {}
    detected = parse_data.get("language")

    def state(language: str, country: str | None, page: str | None) -> LanguageState:
        locale = resolve_locale(language, country, locales)
        if country and locale.country == country.upper():  # the country's facts, maybe in another language
            return LanguageState(language, locale.country, page)
        return LanguageState(locale.language, locale.country, page)

    page = current.page_language if current else None
    if meta_language and (current is None or meta_language != page):
        country = home_country
        if current is None or meta_language != current.language:
            return state(meta_language, country, meta_language)
        return state(meta_language, country or current.country, meta_language)

    if intent == "switch_language":
        target = requested_language(str(parse_data.get("text") or ""))
        if target:
            keep_country = home_country or (current.country if current and current.language == target else None)
            return state(target, keep_country, page)

    if current is None:
        language = detected if detected in SUPPORTED_LANGUAGES else SUPPORTED_LANGUAGES[0]
        return state(language, meta_country, page)

    if in_form:
        return current
    if detected and detected != current.language and _confident_switch(detection, detected, current.language):
        return state(detected, home_country, page)
    return current


def _confident_switch(detection: Mapping[str, Any], detected: str, current: str) -> bool:
    if not detection.get("has_language") or detection.get("unsupported_language"):
        return False
    word_languages = detection.get("word_languages") or []
    if not any(detected in langs and current not in langs for langs in word_languages):
        return False  # no word speaks for the new language only ("Hallo" in German, a name, "perfect")
    scores = detection.get("scores") or {}
    new, old = float(scores.get(detected, 0.0)), float(scores.get(current, 0.0))
    return new >= SWITCH_CONFIDENCE and new - old >= SWITCH_MARGIN
