"""Editing one FAQ answer or one fact of a locale from the console, with the content check's rules.

Every value shown for editing carries a token (a hash of the value as stored); a save names the token it
started from, and a value changed by someone else since then is reported as stale, never overwritten.
An edit is refused when it adds a content-check error (placeholders, markup, length, buttons, a fact
typed into the text, a fact the locale lacks) to that locale. responses.yml is changed in place, only the
edited text's lines (the files mix quoting and indentation styles a YAML round trip would rewrite);
locale.yml goes through the same ruamel round trip as `content import --apply`.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import fcntl
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from bot.content import FAQ_PREFIX, check_locale, errors_only
from bot.editor.apply import update_locale_file
from bot.editor.facts import EMAIL, PHONE, URL, kind_of, phone_digits
from bot.locales import Locale, load_catalog, load_locales
from bot.paths import LOCALES_DIR, VAR_DIR

LOCK_FILE = VAR_DIR / "editor" / "content.lock"
MAX_FACT_CHARS = 300
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def token(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:20]


def answer_text(entry: Any) -> str:
    return str(entry.get("text") if isinstance(entry, Mapping) else entry)


@dataclass
class Outcome:
    ok: bool
    errors: list[str] = field(default_factory=list)
    stale: bool = False
    current: Any = None  # the stored value when stale
    old: Any = None
    new: Any = None


@contextlib.contextmanager
def locked(lock_file: Path = LOCK_FILE) -> Iterator[None]:
    """One writer at a time, across processes (the console and `content import --apply`)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def faq_answers(locale: Locale) -> dict[str, str]:
    return {name: answer_text(entry) for name, entry in locale.responses.items() if name.startswith(FAQ_PREFIX)}


def editable_facts(facts: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Scalar facts by dotted key (support_hours.open); lists (weekdays) are not edited here."""
    found: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, Mapping):
            found.update(editable_facts(value, f"{prefix}{key}."))
        elif not isinstance(value, (list, bool)):
            found[f"{prefix}{key}"] = value
    return found


def _new_errors(before: Locale, after: Locale, catalog: Mapping[str, Any], only: str | None = None) -> list[str]:
    old = {str(p) for p in errors_only(check_locale(before, catalog))}
    return [f"{p.response}: {p.message}" for p in errors_only(check_locale(after, catalog))
            if str(p) not in old and (only is None or p.response == only)]


def edit_answer(locale_code: str, name: str, text: str, base: str, locales_dir: Path = LOCALES_DIR,
                lock_file: Path = LOCK_FILE) -> Outcome:
    text = text.replace("\r\n", "\n").strip()
    if CONTROL.search(text):
        return Outcome(False, ["the text contains control characters"])
    with locked(lock_file):
        locales = load_locales(locales_dir)
        locale = locales.get(locale_code)
        if locale is None or name not in faq_answers(locale):
            return Outcome(False, [f"no FAQ answer {name} in {locale_code}"])
        current = faq_answers(locale)[name]
        if token(current) != base:
            return Outcome(False, ["changed by someone else since you loaded the page"], True, current)
        if not text:
            return Outcome(False, [f"{name}: empty text"])
        if text == current:
            return Outcome(True, old=current, new=text)
        entry = locale.responses[name]
        responses = {**locale.responses, name: {**entry, "text": text} if isinstance(entry, Mapping) else text}
        errors = _new_errors(locale, dataclasses.replace(locale, responses=responses), load_catalog(locales_dir), name)
        if errors:
            return Outcome(False, errors)
        path = locale.path / "responses.yml"
        path.write_text(replace_text(path.read_text(encoding="utf-8"), name, text), encoding="utf-8")
    return Outcome(True, old=current, new=text)


def parse_fact(key: str, raw: str, old: Any) -> tuple[Any, str | None]:
    """The value to store for a fact typed as text, or why it cannot be."""
    value = " ".join(raw.split())
    leaf = key.split(".")[-1]
    kind = kind_of(leaf)
    if not value:
        return None, "a fact cannot be emptied here; ask a developer to record it as a gap"
    if len(value) > MAX_FACT_CHARS:
        return None, f"at most {MAX_FACT_CHARS} characters"
    if leaf in ("open", "close"):
        return (value, None) if TIME.fullmatch(value) else (None, "a time as HH:MM, e.g. 09:00")
    if isinstance(old, int) or kind in ("days", "months", "years"):
        return (int(value), None) if value.isdigit() and int(value) <= 3650 else (None, "a whole number")
    if kind in ("phone", "fax"):
        ok = PHONE.fullmatch(value) and len(phone_digits(value)) >= 8
        return (value, None) if ok else (None, "a phone number with at least 8 digits, e.g. +40 (0) 21 405 8100")
    if kind == "email":
        return (value, None) if EMAIL.fullmatch(value) else (None, "an e-mail address")
    if kind == "url":
        return (value, None) if URL.fullmatch(value) else (None, "a web address starting with https:// or www.")
    return value, None


def edit_fact(locale_code: str, key: str, raw: str, base: str, locales_dir: Path = LOCALES_DIR,
              lock_file: Path = LOCK_FILE) -> Outcome:
    with locked(lock_file):
        locale = load_locales(locales_dir).get(locale_code)
        facts = editable_facts(locale.facts) if locale else {}
        if locale is None or key not in facts:
            return Outcome(False, [f"no fact {key} in {locale_code}"])
        current = facts[key]
        if token(current) != base:
            return Outcome(False, ["changed by someone else since you loaded the page"], True, current)
        value, problem = parse_fact(key, raw, current)
        if problem:
            return Outcome(False, [f"{key}: {problem}"])
        if value == current:
            return Outcome(True, old=current, new=value)
        changed = copy.deepcopy(dict(locale.facts))
        target = changed
        *parents, leaf = key.split(".")
        for part in parents:
            target = target[part]
        target[leaf] = value
        errors = _new_errors(locale, dataclasses.replace(locale, facts=changed), load_catalog(locales_dir))
        if errors:
            return Outcome(False, errors)
        update_locale_file(locale.path / "locale.yml", {key: value}, None)
    return Outcome(True, old=current, new=value)


_KEY = r"^(?P<indent>{indent})[\"']?{name}[\"']?:(?P<rest>[^\n]*)\n?"


def _value_end(lines: list[str], start: int, indent: int) -> int:
    """The line after a value that begins on `start`: continuation lines are indented deeper than the key."""
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key stay
    return end


def replace_text(source: str, name: str, text: str) -> str:
    """responses.yml with one response's text replaced by a double-quoted line; every other line as it was."""
    lines = source.splitlines(keepends=True)
    key = re.compile(_KEY.format(indent="", name=re.escape(name)))
    start = next((i for i, line in enumerate(lines) if key.match(line)), None)
    if start is None:
        raise ValueError(f"{name} is not a top-level key")
    quoted = json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    rest = key.match(lines[start])["rest"].strip()  # type: ignore[index]
    if rest and not rest.startswith("#"):
        end = _value_end(lines, start, 0)
        lines[start:end] = [f"{name}: {quoted}\n"]
    else:
        child = re.compile(_KEY.format(indent=r"\s+", name="text"))
        stop = _value_end(lines, start, 0)
        at = next((i for i in range(start + 1, stop) if child.match(lines[i])), None)
        if at is None:
            raise ValueError(f"{name} has no text")
        indent = child.match(lines[at])["indent"]  # type: ignore[index]
        lines[at:_value_end(lines, at, len(indent))] = [f"{indent}text: {quoted}\n"]
    result = "".join(lines)
    before, after = yaml.safe_load(source), yaml.safe_load(result)
    expected = {**before, name: {**before[name], "text": text} if isinstance(before[name], dict) else text}
    if after != expected:
        raise ValueError(f"editing {name} in place would change other content")
    return result
