"""Facts written into an answer's text instead of taken from `locale.yml`.

An answer must say `${support_phone}`, not "+40 (0) 21 405 8100" and not "treizeci de zile": a fact
typed into a text goes stale when the fact changes, and an invented one is never checked against the
source pages. Values are found the way `content import` finds them on a page (bot.editor.facts), digits
and spelled-out numbers alike.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from bot.editor.facts import _normalised, extract, same, slots

PLACEHOLDERS = r"\$\{[^}]*\}|\{[^}]*\}"


def literal_facts(text: str, facts: Mapping[str, Any]) -> list[str]:
    """One message per fact-like value the text states literally (placeholders are not counted)."""
    plain = re.sub(PLACEHOLDERS, " ", text)
    known = slots(facts)
    messages = []
    for occurrence in extract(plain):
        holders = [s.key for s in known if s.kind == occurrence.kind and s.display is not None
                   and same(occurrence.kind, _normalised(occurrence.kind, s.display), occurrence.value)]
        if holders:
            names = " or ".join(dict.fromkeys(f"${{{key.split('.')[0]}}}" for key in holders))
            messages.append(f"states \"{occurrence.display}\" literally: write {names} so the fact comes "
                            "from locale.yml")
        else:
            messages.append(f"states \"{occurrence.display}\" ({occurrence.kind}), which is no fact of this "
                            "locale: facts come from locale.yml only")
    return messages
