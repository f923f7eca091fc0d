"""Loads locales/: the catalogue of responses and, per locale, its facts, responses and labels."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from bot import SUPPORTED_LANGUAGES
from bot.paths import LOCALES_DIR


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (loaded once)
class Locale:
    code: str  # "nl-BE"
    language: str  # "nl"
    country: str  # "BE"
    timezone: str
    facts: Mapping[str, Any]
    gaps: list[dict[str, str]]
    responses: Mapping[str, Any]
    labels: Mapping[str, Any]
    default_for_language: bool = False
    path: Path = field(default=LOCALES_DIR)


def _read_yaml(path: Path) -> Any:
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_catalog(locales_dir: Path = LOCALES_DIR) -> dict[str, Any]:
    return dict(_read_yaml(locales_dir / "catalog.yml") or {})


def load_locales(locales_dir: Path = LOCALES_DIR) -> dict[str, Locale]:
    """Every locale folder under locales_dir, by code."""
    locales = {}
    for folder in sorted(p for p in locales_dir.iterdir() if (p / "locale.yml").exists()):
        meta = _read_yaml(folder / "locale.yml") or {}
        locales[meta["locale"]] = Locale(
            code=meta["locale"],
            language=meta["language"],
            country=meta["country"],
            timezone=meta["timezone"],
            facts=meta.get("facts") or {},
            gaps=meta.get("gaps") or [],
            responses=_read_yaml(folder / "responses.yml") or {},
            labels=_read_yaml(folder / "labels.yml") or {},
            default_for_language=bool(meta.get("default_for_language")),
            path=folder,
        )
    return locales


@lru_cache(maxsize=4)
def _locales_in(folder: str) -> dict[str, Locale]:
    return load_locales(Path(folder))


@lru_cache(maxsize=8)
def _published_folder(state: str, modified_ns: int) -> str | None:
    current = (json.loads(Path(state).read_text(encoding="utf-8")) or {}).get("current")
    return str(Path(state).parent / current / "locales") if current else None


def cached_locales() -> dict[str, Locale]:
    """Locales loaded once per process (the action server's view of the content).

    With PUBLISHED_CONTENT naming the registry's published.json (`make run` sets it), the published
    version's copy of locales/ is used, and a publish or rollback is followed without a restart: the file's
    modification time is checked on every call (one stat), each version's content loaded once.
    """
    state = os.environ.get("PUBLISHED_CONTENT")
    if state:
        try:
            folder = _published_folder(state, Path(state).stat().st_mtime_ns)
        except (OSError, ValueError):
            folder = None
        if folder and Path(folder).is_dir():
            return _locales_in(folder)
    return _locales_in(str(LOCALES_DIR))


def default_locale(language: str, locales: Mapping[str, Locale]) -> Locale:
    """The locale a language means when the country is unknown (nl -> nl-BE)."""
    candidates = [loc for loc in locales.values() if loc.language == language]
    if not candidates:
        candidates = [loc for loc in locales.values() if loc.language == SUPPORTED_LANGUAGES[0]]
    preferred = [loc for loc in candidates if loc.default_for_language]
    return (preferred or candidates)[0]


def resolve_locale(
    language: str | None, country: str | None, locales: Mapping[str, Locale] | None = None
) -> Locale:
    """The locale for a conversation: the language decides the words, the country the facts.

    Facts win over words: a country that has a locale, but not in this language (de + BE), gets its own
    country's locale (nl-BE) - `fallback_note_locale` then says so in the customer's language. A country
    without any locale (nl + FR) falls back to the language's default.
    """
    locales = locales if locales is not None else cached_locales()
    language = (language or SUPPORTED_LANGUAGES[0]).lower()
    if country:
        country = country.upper()
        exact = locales.get(f"{language}-{country}")
        if exact:
            return exact
        of_country = [loc for loc in locales.values() if loc.country == country]
        if of_country:
            return next((loc for loc in of_country if loc.default_for_language), of_country[0])
    return default_locale(language, locales)


def fallback_note_locale(
    language: str | None, country: str | None, locales: Mapping[str, Locale] | None = None
) -> Locale | None:
    """The locale to explain in, when (language, country) has no locale and the country's one answers.

    None when the answer is in the customer's own language (no note needed).
    """
    locales = locales if locales is not None else cached_locales()
    if not language:
        return None
    answering = resolve_locale(language, country, locales)
    if answering.language == language.lower():
        return None
    return default_locale(language.lower(), locales)
