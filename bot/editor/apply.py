"""`content import --apply`: writes the accepted changes, checks the content, undoes everything if the
check fails, and shows what changed as a diff.

locale.yml is edited with ruamel.yaml's round trip (comments, quoting and order stay as the editor wrote
them); training examples are appended to their intent's block in the language's NLU file.
"""

from __future__ import annotations

import difflib
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from bot.editor.importer import ImportReport
from bot.editor.nlu_data import add_examples
from bot.paths import LOCALES_DIR, ROOT


@dataclass
class Applied:
    diffs: dict[Path, str]
    problems: list[str]  # content check errors; non-empty means nothing was kept


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y: Any = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return y


def _styled(value: Any, old: Any, quote: bool = False) -> Any:
    """The new value in the old value's quoting; times are always quoted ("18:00" is a number in YAML 1.1)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

    if not isinstance(value, str):
        return value
    if isinstance(old, ScalarString) and not quote:
        return type(old)(value)
    return DoubleQuotedScalarString(value) if quote or old is None else value


def update_locale_file(path: Path, changes: dict[str, Any], page_topics: list[str] | None) -> None:
    """Sets facts (dotted keys under `facts:`), closes the gaps they fill, records the page's topics."""
    y = _yaml()
    data = y.load(path.read_text(encoding="utf-8"))
    facts = data["facts"]
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        target = facts
        for part in parents:
            target = target[part]
        if isinstance(value, dict) and isinstance(target.get(leaf), dict):
            for key, item in value.items():
                target[leaf][key] = _styled(item, target[leaf].get(key), quote=True)
        else:
            target[leaf] = _styled(value, target.get(leaf))
    filled = set(changes)
    gaps = data.get("gaps")
    if gaps:
        for gap in [g for g in gaps if g.get("fact") in filled]:
            gaps.remove(gap)
    if page_topics is not None:
        data["page_topics"] = page_topics
    out = io.StringIO()
    y.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def apply(
    report: ImportReport, skip: Iterable[str] = (), locales_dir: Path = LOCALES_DIR, root: Path = ROOT,
) -> Applied:
    from bot import content

    skipped = {s.strip().upper() for s in skip if s.strip()}
    facts = {c.key: c.new_value for c in report.facts.changes
             if c.key and c.new_value is not None and c.id.upper() not in skipped}
    examples: dict[tuple[Path, str], list[str]] = defaultdict(list)
    for q in report.questions:
        if q.add and q.file and q.label and q.id.upper() not in skipped:
            examples[(q.file, q.label)].append(q.text)
    locale_file = locales_dir / report.locale / "locale.yml"
    touched = [locale_file] + sorted({path for path, _ in examples})
    before = {path: path.read_text(encoding="utf-8") for path in touched}
    topics = report.topics_on_page if report.model is not None else None
    update_locale_file(locale_file, facts, topics)
    for (path, intent), texts in examples.items():
        add_examples(path, intent, texts)
    errors = [str(p) for p in content.errors_only(content.check(locales_dir, root))]
    if errors:
        for path, text in before.items():
            path.write_text(text, encoding="utf-8")
        return Applied({}, errors)
    diffs = {}
    for path, text in before.items():
        after = path.read_text(encoding="utf-8")
        if after != text:
            name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
            diffs[path] = "".join(difflib.unified_diff(
                text.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"))
    return Applied(diffs, [])
