"""Language accuracy on short (<= 3 words) and longer messages, judged alone (no hint):
this project's detector vs. plain langdetect vs. langdetect restricted to the four languages.

Run: python -m bench.language
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable

from bench.common import language_set, training_examples, write_result
from bot import SUPPORTED_LANGUAGES
from bot.language.detector import (
    LanguageDetector,
    NaiveBayesModel,
    langdetect_full,
    langdetect_restricted,
)


def _top(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=probabilities.__getitem__) if probabilities else "?"


def evaluate(pairs: list[tuple[str, str]], predict: Callable[[str], str]) -> dict[str, float]:
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for text, lang in pairs:
        hits[lang][1] += 1
        hits[lang][0] += predict(text) == lang
    result = {lang: round(100 * h / n, 1) for lang, (h, n) in sorted(hits.items())}
    result["all"] = round(100 * sum(h for h, _ in hits.values()) / sum(n for _, n in hits.values()), 1)
    return result


def main() -> None:
    from bot.language.lexicon import vocabulary

    lexicon = {lang: vocabulary(lang) for lang in SUPPORTED_LANGUAGES}
    detector = LanguageDetector(NaiveBayesModel.train(training_examples(), SUPPORTED_LANGUAGES), lexicon=lexicon)
    methods: dict[str, Callable[[str], str]] = {
        "langdetect": lambda t: _top(langdetect_full(t)),
        "langdetect, 4 languages": lambda t: _top(langdetect_restricted(t)),
        "this project": lambda t: detector.detect(t).language,
    }
    results = {}
    for kind in ("short", "long"):
        pairs = language_set(kind)
        results[kind] = {"messages": len(pairs), **{name: evaluate(pairs, f) for name, f in methods.items()}}
    path = write_result("language", results)
    print(f"| set | method | {' | '.join(SUPPORTED_LANGUAGES)} | all |")
    print("| --- | --- | " + " | ".join("---" for _ in SUPPORTED_LANGUAGES) + " | --- |")
    for kind, by_method in results.items():
        for name in methods:
            row = by_method[name]
            cells = " | ".join(f"{row[lang]:.1f}%" for lang in SUPPORTED_LANGUAGES)
            print(f"| {kind} ({by_method['messages']}) | {name} | {cells} | **{row['all']:.1f}%** |")
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
