"""Checks of the training data and facts an editor needs before retraining (part of `content check`):

- a topic with fewer than MIN_EXAMPLES examples in a language (the model learns it poorly there);
- the same example (after lower-casing, removing accents and punctuation, sorting words) under two topics:
  the model is taught both answers for one message;
- near-duplicates across topics (word sets overlapping by NEAR_DUPLICATE or more): usually a mislabelled example;
- facts that differ between locales of one country (nl-BE and a future fr-BE must give the same phone).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Iterable, Mapping

from bot.editor.nlu_data import Example, normalise
from bot.locales import Locale

MIN_EXAMPLES = 15
NEAR_DUPLICATE = 0.85
MIN_NEAR_DUPLICATE_WORDS = 4  # short messages ("buna ziua") overlap by nature


@dataclass(frozen=True)
class Finding:
    where: str  # language or country
    subject: str  # intent or fact
    message: str
    severity: str  # "error" or "warning"


def too_few_examples(examples: Iterable[Example], minimum: int = MIN_EXAMPLES) -> list[Finding]:
    counts: Counter[tuple[str, str]] = Counter((e.language or "?", e.intent) for e in examples)
    return [Finding(lang, intent, f"only {n} training examples in this language (at least {minimum})", "warning")
            for (lang, intent), n in sorted(counts.items()) if n < minimum]


def duplicates_across_topics(examples: Iterable[Example]) -> list[Finding]:
    """The same words under two intents: an error when the word order is the same too, else a warning
    ("bună seara" greets, "seară bună" says goodbye; a bag-of-words model cannot tell them apart)."""
    by_key: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for e in examples:
        by_key[(e.language or "?", normalise(e.text))].setdefault(e.intent, e.text)
    findings = []
    for (lang, _), intents in sorted(by_key.items()):
        if len(intents) > 1:
            listed = "; ".join(f"{intent}: \"{text}\"" for intent, text in sorted(intents.items()))
            same_order = len({normalise(text, sort=False) for text in intents.values()}) == 1
            findings.append(Finding(lang, " / ".join(sorted(intents)), f"same example under several topics: {listed}",
                                    "error" if same_order else "warning"))
    return findings


def near_duplicates(examples: Iterable[Example], threshold: float = NEAR_DUPLICATE) -> list[Finding]:
    """Pairs of examples of different intents whose word sets overlap (Jaccard) by at least `threshold`.

    Prefix filtering (Bayardo et al., "Scaling up all pairs similarity search"): two sets that overlap this
    much share one of their rarest words, so only examples sharing a rare word are compared.
    """
    by_language: dict[str, list[tuple[str, str, frozenset[str]]]] = defaultdict(list)
    for e in examples:
        words = frozenset(normalise(e.text).split())
        if len(words) >= MIN_NEAR_DUPLICATE_WORDS:
            by_language[e.language or "?"].append((e.intent, e.text, words))
    findings = []
    for lang, items in sorted(by_language.items()):
        frequency = Counter(word for _, _, words in items for word in words)
        index: dict[str, list[int]] = defaultdict(list)
        for i, (intent_a, text_a, words_a) in enumerate(items):
            rarest = sorted(words_a, key=lambda w: (frequency[w], w))
            prefix = rarest[: len(words_a) - math.ceil(threshold * len(words_a)) + 1]
            candidates = sorted({j for word in prefix for j in index[word]})
            for word in prefix:
                index[word].append(i)
            for j in candidates:
                intent_b, text_b, words_b = items[j]
                if intent_a == intent_b or words_a == words_b:
                    continue
                overlap = len(words_a & words_b) / len(words_a | words_b)
                if overlap >= threshold:
                    findings.append(Finding(lang, f"{intent_b} / {intent_a}",
                                            f"near-duplicates ({overlap:.0%}): \"{text_b}\" / \"{text_a}\"", "warning"))
    return findings


def _flat(facts: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def facts_differ_within_country(locales: Iterable[Locale]) -> list[Finding]:
    """Facts both locales of one country state, with different values."""
    by_country: dict[str, list[Locale]] = defaultdict(list)
    for locale in locales:
        by_country[locale.country].append(locale)
    findings = []
    for country, group in sorted(by_country.items()):
        for a, b in combinations(sorted(group, key=lambda loc: loc.code), 2):
            flat_a, flat_b = _flat(a.facts), _flat(b.facts)
            for key in sorted(set(flat_a) & set(flat_b)):
                va, vb = flat_a[key], flat_b[key]
                if va is not None and vb is not None and str(va) != str(vb):
                    findings.append(Finding(country, key, f"{a.code} says {va!r}, {b.code} says {vb!r}", "warning"))
    return findings


def check(examples: list[Example], locales: Iterable[Locale]) -> list[Finding]:
    return (too_few_examples(examples) + duplicates_across_topics(examples) + near_duplicates(examples)
            + facts_differ_within_country(locales))
