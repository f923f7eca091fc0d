"""Facts stated on a page (phones, fax, e-mail, URLs, postal addresses, opening hours, notice periods)
and how they differ from a locale's `locale.yml`.

Each locale fact has a kind, known from its key (`*phone*`, `*fax*`, `*email*`, `*url*`, `*address*`,
`*_days`, `*_months`, `*_years`, `support_hours`). A fact whose value is on the page is unchanged. A value
of a kind the page states that no fact holds is paired with the one fact of that kind that is missing
from the page (or empty); with several candidates, the facts the answer's topic uses decide, and if that
does not settle it the value is reported for the editor to place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from bot.editor.number_words import number_before

PHONE = re.compile(r"\+?\d[\d ()\-/.]{6,}\d(?: \([^)\n]{1,20}\))?")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')]+")
TIME = r"(\d{1,2})[:.h](\d{2})"
HOURS = re.compile(TIME + r"\s*(?:[-–—]|[^\d\n:]{1,14}?)\s*" + TIME)
QUANTITY = re.compile(r"(\d{1,4})\s+(?:de\s+)?([^\W\d_]+)")  # Romanian: "30 de zile"
POSTCODE = re.compile(r"\b\d{4,6}\b")
# Unit words of the four languages (and English), accents folded: the parser's vocabulary, not customer text.
UNITS = {
    "days": {"zile", "zi", "dagen", "dag", "dias", "dia", "tage", "tagen", "tag", "days", "day"},
    "months": {"luni", "luna", "maanden", "maand", "meses", "mes", "monate", "monaten", "monat", "months", "month"},
    "years": {"ani", "an", "jaar", "jaren", "anos", "ano", "jahre", "jahren", "jahr", "years", "year"},
}
DATE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")
SUMMER_WORDS = ("verano", "zomer", "vara", "sommer", "summer")
UNIT_WORD = re.compile(r"[^\W\d_]+")
SENTENCE_END = re.compile(r"(?<=[.!])\s+(?=[^\W\d_¿¡])|\n")


def fold(text: str) -> str:
    """Lower case without accents, for comparing words across spellings (Romanian pages omit diacritics)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def phone_digits(text: str) -> str:
    """Digits of a phone number without the trunk zero: "+32 (0)2 339 23 45" and "02 339 23 45" end alike."""
    text = re.sub(r"\([^)]*[^\W\d_][^)]*\)", "", text.replace("(0)", ""))  # drop "(0)" and "(Att. CSOL)"
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("00"):
        return digits[2:]
    if not text.lstrip().startswith("+") and digits.startswith("0"):
        return digits[1:]
    return digits


@dataclass(frozen=True)
class Occurrence:
    kind: str
    value: str  # normalised for comparison
    display: str  # as the page writes it
    sentence: str
    question: str | None = None  # the FAQ question whose answer holds it (None: outside the FAQ)


@dataclass
class FactSlot:
    key: str  # dotted path under `facts:`
    kind: str
    display: str | None  # current value as text, None when the fact is empty


@dataclass
class FactChange:
    key: str | None  # None: the editor must say which fact it is
    kind: str
    old: str | None
    new: str
    sentence: str
    new_value: Any = None  # what --apply writes (None: not applied automatically)
    note: str = ""
    id: str = ""


@dataclass
class FactsDiff:
    changes: list[FactChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_on_page: list[str] = field(default_factory=list)


def _sentences(paragraph: str) -> list[str]:
    lines = paragraph.split("\n")
    if len(lines) > 1 and all(len(line.split()) <= 8 for line in lines) and POSTCODE.search(paragraph):
        return [", ".join(lines)]  # an address block is one "sentence"
    return [s.strip() for s in SENTENCE_END.split(paragraph) if s.strip()]


def _summer_before(sentence: str, start: int) -> bool:
    window = fold(sentence[max(0, start - 25):start])
    return any(word in window for word in SUMMER_WORDS)


def extract(paragraph: str, question: str | None = None) -> list[Occurrence]:
    """Every fact-like value in one paragraph."""
    found: list[Occurrence] = []
    for sentence in _sentences(paragraph):
        lines = [part.strip() for part in sentence.split(", ")]
        if POSTCODE.search(sentence) and sentence.count(", ") >= 2 and all(len(p.split()) <= 8 for p in lines):
            found.append(Occurrence("address", _address_key(sentence), sentence, sentence, question))
        masked = sentence
        for match in HOURS.finditer(sentence):
            start, end = f"{int(match[1]):02d}:{match[2]}", f"{int(match[3]):02d}:{match[4]}"
            kind = "summer_hours" if _summer_before(sentence, match.start()) else "hours"
            found.append(Occurrence(kind, f"{start}-{end}", f"{start}–{end}", sentence, question))
            masked = masked.replace(match[0], " " * len(match[0]))
        for match in EMAIL.finditer(masked):
            found.append(Occurrence("email", match[0].lower(), match[0], sentence, question))
            masked = masked.replace(match[0], " " * len(match[0]))
        for match in URL.finditer(masked):
            url = match[0].rstrip(".,;:")
            found.append(Occurrence("url", url.lower().removeprefix("https://").removeprefix("http://"), url,
                                    sentence, question))
            masked = masked.replace(match[0], " " * len(match[0]))
        for match in PHONE.finditer(masked):
            digits = phone_digits(match[0])
            if len(digits) < 8 or DATE.match(match[0].strip()):
                continue
            kind = "fax" if "fax" in fold(masked[max(0, match.start() - 15):match.start()]) else "phone"
            found.append(Occurrence(kind, digits, match[0].strip(), sentence, question))
        for match in QUANTITY.finditer(masked):
            unit = fold(match[2])
            for kind, words in UNITS.items():
                if unit in words:
                    found.append(Occurrence(kind, str(int(match[1])), match[0], sentence, question))
        found.extend(_spelled_quantities(masked, sentence, question))
    return found


def _spelled_quantities(masked: str, sentence: str, question: str | None) -> list[Occurrence]:
    """"dreißig Tage", "treizeci de zile", "dertig dagen", "treinta días": periods written in words."""
    found = []
    for match in UNIT_WORD.finditer(masked):
        kind = next((k for k, words in UNITS.items() if fold(match[0]) in words), None)
        spelled = number_before(masked, match.start()) if kind else None
        if kind and spelled:
            value, start = spelled
            found.append(Occurrence(kind, str(value), masked[start:match.end()], sentence, question))
    return found


def _address_key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", fold(text)).strip()


def kind_of(key: str) -> str | None:
    for marker, kind in (("fax", "fax"), ("phone", "phone"), ("email", "email"), ("url", "url"),
                         ("address", "address")):
        if marker in key:
            return kind
    for suffix in ("days", "months", "years"):
        if key.endswith("_" + suffix):
            return suffix
    return None


def slots(facts: Mapping[str, Any]) -> list[FactSlot]:
    """The facts of a locale that a page can state, with their kind."""
    found: list[FactSlot] = []
    for key, value in facts.items():
        if key == "support_hours":
            hours = value if isinstance(value, Mapping) else None
            found.append(FactSlot(key, "hours", f"{hours['open']}–{hours['close']}" if hours else None))
            if hours:
                summer = hours.get("summer")
                found.append(FactSlot(f"{key}.summer", "summer_hours",
                                      f"{summer['open']}–{summer['close']}" if isinstance(summer, Mapping) else None))
            continue
        kind = kind_of(key)
        if kind and not isinstance(value, (Mapping, list, bool)):
            found.append(FactSlot(key, kind, None if value is None else str(value)))
    return found


def _normalised(kind: str, display: str) -> str:
    if kind in ("phone", "fax"):
        return phone_digits(display)
    if kind == "address":
        return _address_key(display)
    if kind in ("hours", "summer_hours"):
        return display.replace("–", "-")
    if kind == "url":
        return display.lower().removeprefix("https://").removeprefix("http://")
    return display.lower()


def same(kind: str, a: str, b: str) -> bool:
    if kind in ("phone", "fax"):
        # "901 200 400" on the page is "+34 901 200 400" in the facts: the same line without the country code.
        shorter, longer = sorted((a, b), key=len)
        return len(shorter) >= 8 and longer.endswith(shorter)
    return a == b


def _new_value(kind: str, occurrence: Occurrence, old: Any) -> Any:
    if kind in ("days", "months", "years"):
        return int(occurrence.value)
    if kind in ("hours", "summer_hours"):
        start, end = occurrence.value.split("-")
        if kind == "hours" and not isinstance(old, Mapping):
            return None  # the weekdays are not known from one sentence: the editor fills the fact
        return {"open": start, "close": end}
    return occurrence.display


def compare(
    facts: Mapping[str, Any], occurrences: Iterable[Occurrence], topic_facts: Mapping[str, set[str]] | None = None,
    question_topics: Mapping[str, str] | None = None,
) -> FactsDiff:
    """How the facts on the page differ from the locale's facts.

    topic_facts: the fact keys each topic's answer uses; question_topics: the topic each question maps to.
    """
    diff = FactsDiff()
    occurrences = list(occurrences)
    all_slots = slots(facts)
    for kind in sorted({s.kind for s in all_slots} | {o.kind for o in occurrences}):
        kind_slots = [s for s in all_slots if s.kind == kind]
        seen: dict[str, Occurrence] = {}
        for occ in (o for o in occurrences if o.kind == kind):
            seen.setdefault(occ.value, occ)
        matched: set[str] = set()
        unaccounted: list[Occurrence] = []
        for value, occ in seen.items():
            holders = [s for s in kind_slots if s.display is not None and same(kind, _normalised(kind, s.display), value)]
            if holders:
                matched.update(s.key for s in holders)
            else:
                unaccounted.append(occ)
        for s in kind_slots:
            if s.key in matched:
                diff.unchanged.append(s.key)
            elif s.display is not None:
                diff.not_on_page.append(s.key)
        candidates = [s for s in kind_slots if s.key not in matched]
        for occ in unaccounted:
            slot = _pick(occ, candidates, topic_facts or {}, question_topics or {})
            if slot is None:
                diff.changes.append(FactChange(None, kind, None, occ.display, occ.sentence,
                                               note="no fact of this kind is free for it: say which fact it is"))
                continue
            candidates.remove(slot)
            if slot.key in diff.not_on_page:
                diff.not_on_page.remove(slot.key)
            old = _lookup(facts, slot.key)
            value = _new_value(kind, occ, old)
            note = "" if value is not None else "opening days are not stated: fill the hours in locale.yml"
            diff.changes.append(FactChange(slot.key, kind, slot.display, occ.display, occ.sentence, value, note))
    return diff


def _pick(occ: Occurrence, candidates: list[FactSlot], topic_facts: Mapping[str, set[str]],
          question_topics: Mapping[str, str]) -> FactSlot | None:
    if len(candidates) == 1:
        return candidates[0]
    topic = question_topics.get(occ.question or "")
    used = topic_facts.get(topic or "", set())
    preferred = [s for s in candidates if s.key.split(".")[0] in used]
    return preferred[0] if len(preferred) == 1 else None


def _lookup(facts: Mapping[str, Any], dotted: str) -> Any:
    value: Any = facts
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value
