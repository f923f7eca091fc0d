"""What changed in the content since the published version, per locale: the answers and facts that
differ (for the editor's overview) and the unified diff of each file (for the details)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from bot.editor.content_edit import editable_facts, faq_answers
from bot.lifecycle.registry import Registry
from bot.locales import load_locales
from bot.paths import LOCALES_DIR

FILES = ("responses.yml", "locale.yml", "labels.yml")


@dataclass
class LocaleChanges:
    locale: str
    answers: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # name, published, now
    facts: list[tuple[str, object, object]] = field(default_factory=list)  # key, published, now
    diffs: dict[str, str] = field(default_factory=dict)  # file name: unified diff

    @property
    def changed(self) -> bool:
        return bool(self.diffs)


def against_published(registry: Registry | None = None, locales_dir: Path = LOCALES_DIR) -> tuple[str | None,
                                                                                              list[LocaleChanges]]:
    """(published version id, changes per locale); with nothing published everything counts as new."""
    version = (registry or Registry()).current()
    published_dir = version.locales if version else None
    now = load_locales(locales_dir)
    before = load_locales(published_dir) if published_dir and published_dir.is_dir() else {}
    result = []
    for code, locale in now.items():
        old = before.get(code)
        changes = LocaleChanges(code)
        old_answers = faq_answers(old) if old else {}
        for name, text in faq_answers(locale).items():
            if old_answers.get(name) != text:
                changes.answers.append((name, old_answers.get(name), text))
        old_facts = editable_facts(old.facts) if old else {}
        for key, value in editable_facts(locale.facts).items():
            if key not in old_facts or old_facts[key] != value:
                changes.facts.append((key, old_facts.get(key), value))
        for name in FILES:
            new_file = locale.path / name
            old_file = published_dir / code / name if published_dir else None
            old_text = old_file.read_text(encoding="utf-8") if old_file and old_file.exists() else ""
            new_text = new_file.read_text(encoding="utf-8") if new_file.exists() else ""
            if old_text != new_text:
                changes.diffs[name] = "".join(difflib.unified_diff(
                    old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                    f"published/{code}/{name}", f"now/{code}/{name}"))
        result.append(changes)
    return (version.id if version else None), result
