"""Which language a bot reply is in: matched against every locale's rendered texts (runtime values as
wildcards), so the check is exact rather than a guess."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.content import RUNTIME_PLACEHOLDER
from bot.locales import load_locales
from bot.render import render


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, str, re.Pattern[str]]]:
    patterns = []
    for locale in load_locales().values():
        for name in locale.responses:
            names = RUNTIME_PLACEHOLDER.findall(str(locale.responses[name] if isinstance(locale.responses[name], str)
                                                    else locale.responses[name]["text"]))
            text = render(locale, name, **{n: f"⟦{n}⟧" for n in names}).text
            regex = re.escape(text)
            for n in names:
                regex = regex.replace(re.escape(f"⟦{n}⟧"), "(?s:.+?)")
            patterns.append((locale.code, name, re.compile(f"^{regex}$", re.S)))
    return patterns


def reply_locales(text: str) -> set[str]:
    """The locales whose content produced this reply (several when texts are shared)."""
    return {code for code, _, pattern in _patterns() if pattern.match(text)}


def reply_responses(text: str) -> set[str]:
    return {name for _, name, pattern in _patterns() if pattern.match(text)}
