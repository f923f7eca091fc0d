"""`model evaluate`: accuracy per language on the held-out files, worst confusions, and the regressions
against the serving model (messages it got right that the new model gets wrong).

Intent accuracy counts every FAQ topic as the intent `faq`; FAQ-topic accuracy is over the FAQ messages
only, counting the exact topic. An unrelated message that ends in the fallback counts as out_of_scope:
both answer "not my topic".
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from bot import SUPPORTED_LANGUAGES
from bot.editor.nlu_data import HELD_OUT_DIR, read_examples
from bot.lifecycle.parsing import Prediction

Parse = Callable[[Sequence[str]], Sequence[Prediction]]


@dataclass
class Row:
    text: str
    expected: str
    got: str
    confidence: float
    serving: str | None = None  # what the serving model said, when compared

    @property
    def correct(self) -> bool:
        return same_label(self.expected, self.got)


@dataclass
class LanguageResult:
    language: str
    messages: int
    intent_accuracy: float
    faq_topic_accuracy: float
    confusions: list[tuple[str, str, int, list[str]]]  # expected, got, count, example messages
    rows: list[Row] = field(default_factory=list)
    serving_intent_accuracy: float | None = None
    regressions: list[Row] = field(default_factory=list)
    fixes: list[Row] = field(default_factory=list)


def same_label(expected: str, got: str) -> bool:
    return got == expected or (expected == "out_of_scope" and got == "nlu_fallback")


def intent_of(label: str) -> str:
    return label.split("/")[0]


def held_out(language: str, held_out_dir: Path = HELD_OUT_DIR) -> list[tuple[str, str]]:
    return [(e.text, e.intent) for e in read_examples(held_out_dir / f"{language}.yml")]


def _percent(hits: int, total: int) -> float:
    return round(100 * hits / total, 1) if total else 0.0


def score(language: str, pairs: list[tuple[str, str]], predictions: Sequence[Prediction],
          serving: Sequence[Prediction] | None = None, worst: int = 10) -> LanguageResult:
    said: Sequence[Prediction | None] = serving if serving is not None else [None] * len(pairs)
    rows = [Row(text, expected, p.label, p.confidence, s.label if s else None)
            for (text, expected), p, s in zip(pairs, predictions, said, strict=True)]
    intent_hits = sum(same_label(intent_of(r.expected), intent_of(r.got)) for r in rows)
    faq = [r for r in rows if r.expected.startswith("faq/")]
    confusion: Counter[tuple[str, str]] = Counter((r.expected, r.got) for r in rows if not r.correct)
    examples: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        if not r.correct:
            examples.setdefault((r.expected, r.got), []).append(r.text)
    result = LanguageResult(
        language, len(rows), _percent(intent_hits, len(rows)), _percent(sum(r.correct for r in faq), len(faq)),
        [(e, g, n, examples[(e, g)][:3]) for (e, g), n in confusion.most_common(worst)], rows)
    if serving is not None:
        result.serving_intent_accuracy = _percent(
            sum(same_label(intent_of(r.expected), intent_of(r.serving or "")) for r in rows), len(rows))
        result.regressions = [r for r in rows if same_label(r.expected, r.serving or "") and not r.correct]
        result.fixes = [r for r in rows if r.correct and not same_label(r.expected, r.serving or "")]
    return result


def evaluate(parse: Parse, serving: Parse | None = None, languages: Sequence[str] = SUPPORTED_LANGUAGES,
             held_out_dir: Path = HELD_OUT_DIR) -> list[LanguageResult]:
    results = []
    for language in languages:
        pairs = held_out(language, held_out_dir)
        texts = [text for text, _ in pairs]
        results.append(score(language, pairs, parse(texts), serving(texts) if serving else None))
    return results


def summary(results: Sequence[LanguageResult]) -> dict[str, dict[str, float | int | None]]:
    """Per language numbers only: what `model list` shows and `model publish` compares."""
    return {r.language: {"messages": r.messages, "intent_accuracy": r.intent_accuracy,
                         "faq_topic_accuracy": r.faq_topic_accuracy, "regressions": len(r.regressions)}
            for r in results}


def write_summary(results: Sequence[LanguageResult], folder: Path, model: str, against: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "summary.json"
    body = {"model": model, "against": against, "languages": summary(results),
            "rows": {r.language: [asdict(row) for row in r.rows] for r in results}}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_summary(folder: Path) -> dict | None:
    path = folder / "summary.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
