"""The console's own texts, in the agent's language: English, German, Romanian, Dutch or Spanish.

The texts live in `locales/console/<language>.yml` (one file per language, the same keys in each; the
customer-facing content stays in `locales/<locale>/`). The language is the agent's profile language
(`users.language`) when set, else the browser's Accept-Language (Babel's negotiation), else English.
Templates call `t("queue.title")`; the console's scripts get the texts they need as JSON in a data
attribute (`js_texts`), so no text is written into a template or script.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Mapping

import yaml
from babel.core import negotiate_locale
from sanic.request import Request

from bot.paths import ROOT

FOLDER = ROOT / "locales" / "console"
LANGUAGES = ("en", "de", "ro", "nl", "es")
DEFAULT = "en"
# Sections the browser scripts use (the rest is rendered on the server).
SCRIPT_SECTIONS = ("app", "queue", "conversation", "escalation_statuses", "reasons", "canned", "roles")


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalog(language: str) -> Mapping[str, str]:
    """All texts of one language as dotted keys ("queue.title")."""
    if language not in LANGUAGES:
        raise KeyError(f"the console has no texts in {language!r}")
    with (FOLDER / f"{language}.yml").open(encoding="utf-8") as handle:
        return _flatten(yaml.safe_load(handle) or {})


class Texts:
    """`t(key, **values)`: the text in this language with {placeholders} filled; an unknown key is an error
    (a page must never show a key or an empty string)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.strings = catalog(language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self.strings[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def label(self, section: str, key: str | None) -> str:
        """A code's name ("reasons", "form_abandoned"), or the code itself when it has none."""
        if not key:
            return ""
        return self.strings.get(f"{section}.{key}", key)

    def for_scripts(self) -> dict[str, str]:
        return {k: v for k, v in self.strings.items() if k.split(".", 1)[0] in SCRIPT_SECTIONS}


def choose_language(profile: str | None, accept_language: str | None) -> str:
    """The profile's language, else the best Accept-Language match, else English."""
    if profile in LANGUAGES:
        return str(profile)
    preferred = [part.split(";")[0].strip().replace("-", "_") for part in (accept_language or "").split(",")
                 if part.strip() and part.split(";")[0].strip() != "*"]
    chosen = negotiate_locale(preferred, list(LANGUAGES)) if preferred else None
    return str(chosen).split("_")[0] if chosen else DEFAULT


def texts_for(request: Request, user: Any = None) -> Texts:
    """The texts for this request's agent (their profile) or browser."""
    profile = getattr(user, "language", None) if user is not None else None
    return Texts(choose_language(profile, request.headers.get("accept-language")))


def names() -> dict[str, str]:
    """Each console language in its own name (for the profile's language picker)."""
    return {language: catalog(language)["language_name"] for language in LANGUAGES}
