"""Renders a catalogued response for a locale, for the action server (same content as the domain).

Runtime values are customer-supplied at times (a company name, a description): they are made plain
text - markup tags and control characters removed - before they go into a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.content import RUNTIME_PLACEHOLDER, fact_values, render_text
from bot.language.text import MARKUP_TAG
from bot.locales import Locale

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def plain(value: Any) -> str:
    """A runtime value as safe plain text."""
    return _CONTROL.sub("", MARKUP_TAG.sub("", str(value))).strip()


@lru_cache(maxsize=64)
def _facts(locale: Locale) -> dict[str, str]:
    return fact_values(locale)


def render(locale: Locale, name: str, **values: Any) -> Rendered:
    """The response `name` in `locale`, with facts and the given runtime values filled in."""
    entry = locale.responses[name]
    variation: dict[str, Any] = {"text": entry} if isinstance(entry, str) else dict(entry)
    facts = _facts(locale)
    text = render_text(str(variation["text"]), facts)
    text = RUNTIME_PLACEHOLDER.sub(lambda m: plain(values.get(m.group(1), "")), text)
    buttons = [
        {"title": render_text(str(b["title"]), facts), "payload": str(b["payload"])}
        for b in variation.get("buttons") or []
    ]
    return Rendered(text, buttons)
