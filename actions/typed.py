"""Reading typed answers: choices, yes/no, questions and corrections, from the locales' word lists
(bot.language.words: folded text, whole words, every locale's words in every conversation)."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any, Iterable, List, Mapping, Tuple

from actions.topics import REQUEST_TYPE_AFTER_FAQ
from bot.language.text import fold_diacritics
from bot.language.words import contains, fold, word_list, word_map
from bot.lifecycle.parsing import selected_topic
from bot.locales import cached_locales
from bot.requests import REQUEST_TYPES

# The FAQ answer a message would get says which request type it means ("Kopie van een contract").
# Close enough to a label or synonym to be a typo of it ("Vertragskopei", "copie contarct").
TYPO_RATIO = 0.84
CONFIDENT = 0.6


@lru_cache(maxsize=1)
def request_type_titles() -> Tuple[Tuple[str, str], ...]:
    return tuple((str(key), fold(title)) for loc in cached_locales().values()
                 for key, title in (loc.labels.get("request_types") or {}).items())


def intent_of(message: Mapping[str, Any]) -> Tuple[str, float]:
    intent = message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def request_type_choice(text: str, message: Mapping[str, Any] | None = None) -> str | None:
    """The request type a typed answer names: key, label, synonym, typo of either, number, or FAQ topic."""
    folded = fold(text).replace("_", " ")
    if not folded:
        return None
    for key in REQUEST_TYPES:
        if folded == key.replace("_", " "):
            return key
    if folded.isdigit() and 1 <= int(folded) <= len(REQUEST_TYPES):
        return REQUEST_TYPES[int(folded) - 1]
    titles = request_type_titles()
    for key, title in titles:
        if folded == title:
            return key
    candidates = [(key, title) for key, title in titles] + [
        (key, w) for key, words in word_map("request_type_words") for w in words]
    for key, phrase in sorted(candidates, key=lambda c: -len(c[1])):
        if contains(folded, phrase):
            return key
    best = max(candidates, key=lambda c: difflib.SequenceMatcher(None, folded, c[1]).ratio())
    if difflib.SequenceMatcher(None, folded, best[1]).ratio() >= TYPO_RATIO:
        return best[0]
    if message:
        intent, confidence = intent_of(message)
        if intent == "faq" and confidence >= CONFIDENT:
            return REQUEST_TYPE_AFTER_FAQ.get(selected_topic(message) or "")
    return None


def starts_with_any(folded: str, words: Iterable[str]) -> bool:
    return any(folded == w or folded.startswith(w + " ") for w in words)


def yes_or_no(text: str, message: Mapping[str, Any] | None = None) -> bool | None:
    """True for a typed yes, False for a no, None otherwise. The NLU's affirm/deny count too.

    The words are the message's language's: Spanish "si" is yes, Romanian "și" is "and"."""
    folded = fold(text)
    if folded in ("/affirm",):
        return True
    if folded in ("/deny",):
        return False
    language = (message or {}).get("language")
    language = str(language) if language else None
    if starts_with_any(folded, word_list("no_words", language)):
        return False
    if starts_with_any(folded, word_list("yes_words", language)):
        return True
    intent, confidence = intent_of(message or {})
    if intent in ("affirm", "deny") and confidence >= CONFIDENT:
        return intent == "affirm"
    return None


def is_question(text: str) -> bool:
    stripped = text.strip()
    return stripped.endswith("?") or stripped.startswith("¿") or starts_with_any(fold(text), word_list("question_words"))


NUMBER_STEMS = ("nummer", "numar", "numero", "number")


def names_a_number(word: str) -> bool:
    """"Kundennummer", "número de oferta": a word naming a specific number, not "contract" or "Nummer"."""
    return any(stem in word for stem in NUMBER_STEMS) and not any(word.startswith(s) and len(word) <= len(s) + 2
                                                                  for s in NUMBER_STEMS)


def close_phrase(folded_text: str, phrase: str) -> bool:
    """A typo of a long phrase in the text ("Kundenummer", "númro de cliente")."""
    tokens, size = folded_text.split(), len(phrase.split())
    return len(phrase) >= 8 and any(
        difflib.SequenceMatcher(None, " ".join(tokens[i:i + size]), phrase).ratio() >= TYPO_RATIO
        for i in range(len(tokens) - size + 1))


def mentioned_slots(text: str, candidates: Iterable[str], numbers_only: bool = False) -> List[str]:
    """The form answers a message names ("die E-Mail", "el contrato"), longest word first."""
    folded = fold(text)
    found: List[Tuple[int, str]] = []
    wanted = set(candidates)
    for slot, words in word_map("slot_words"):
        if slot not in wanted:
            continue
        hits = [len(w) for w in words if (names_a_number(w) or not numbers_only)
                and (contains(folded, w) or (numbers_only and close_phrase(folded, w)))]
        if hits:
            found.append((max(hits), slot))
    return [slot for _, slot in sorted(found, reverse=True)]


def is_change(text: str) -> bool:
    folded = fold(text)
    return any(contains(folded, w) for w in word_list("change_words")) or starts_with_any(
        folded, word_list("no_words"))


def value_after_marker(text: str) -> str | None:
    """The corrected value in "..., richtig ist Muster AG" / "la empresa es Muster SL": after the last marker."""
    best: Tuple[int, int] | None = None
    for marker in word_list("value_markers"):
        pattern = re.escape(marker) if marker == ":" else rf"(?<!\w){re.escape(marker)}(?!\w)"
        for match in re.finditer(pattern, fold_diacritics(text.lower())):
            if best is None or match.end() > best[1]:
                best = (match.start(), match.end())
    if best is None:
        return None
    value = text[best[1]:].strip(" .,:;!¡¿?\"'„“”«»")
    if fold(value) in word_list("change_words") or fold(value) in word_list("no_words"):
        return None  # "... ist falsch": the new value is still to come
    return value or None
