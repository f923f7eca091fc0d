"""Would a second classifier's opinion, blended with DIET's, understand more in-scope messages without letting
more unrelated ones through? Measured on the DEVELOPMENT splits only, by replay.

Every message of the second in-scope dev set (tests/data/nlu_dev2/, written without sight of the training
data) and of the open-set dev set (tests/data/open_set/dev/) is parsed once with the trained model; the
second opinion is a per-language linear model over character and word n-grams (TF-IDF, logistic
regression), trained here on the NLU training data. For each blend weight w the labels' scores become
(1 - w) * DIET's (P(faq) x P(topic) for FAQ topics) + w * the second opinion's, and the rest of the pipeline
(FallbackClassifier, open-set detector) is replayed on the blended ranking (bench.open_set_tune.replay).
The TEST splits are never read.

Run: python -m bench.second_opinion [--model PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import quiet_logs, write_result
from bench.nlu import SECOND_DEVELOPMENT
from bench.open_set_tune import TARGETS, Seen, configured, dev_items, hit, margins, replay, seen
from bot import SUPPORTED_LANGUAGES
from bot.local_servers import MODEL
from bot.nlu.second_opinion import LanguageModel, blend, diet_scores
from bot.paths import ROOT

WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
FALLBACK_THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5)

Row = tuple[str, str, str, Seen, dict[str, float]]  # kind, text, expected, seen, DIET's label scores


def training_examples() -> dict[str, list[tuple[str, str]]]:
    """(text, label) of every NLU training example by language; FAQ examples labelled faq/<topic>."""
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.nlu.language_identifier import training_language

    data = load_data(str(ROOT / "data" / "nlu"))
    out: dict[str, list[tuple[str, str]]] = {}
    for message in data.intent_examples:
        language = training_language(message)
        label = message.get("intent_response_key") or message.get("intent")
        if language and label:
            out.setdefault(language, []).append((str(message.get("text")), str(label)))
    return out


async def parse_dev(model: Path) -> dict[str, list[Row]]:
    from bot.model_loading import load_agent

    agent = load_agent(str(model))
    without_blend(agent)
    rows: dict[str, list[Row]] = {}
    for lang in SUPPORTED_LANGUAGES:
        rows[lang] = []
        for kind, text, expected in dev_items(lang, SECOND_DEVELOPMENT):
            parse = await agent.parse_message(text)
            rows[lang].append((kind, text, expected, seen(parse), diet_scores(parse)))
    return rows


def blended_seen(s: Seen, diet: dict[str, float], other: dict[str, float], weight: float) -> Seen:
    """What the pipeline after DIET would see had bot.nlu.second_opinion blended the labels with this weight."""
    if weight == 0.0 or s.guarded or not s.ranking:
        return s
    ranking, topics = blend(diet, other, weight)
    return replace(s, ranking=tuple(ranking), topic=topics[0][0] if topics else s.topic)


def score(rows: dict[str, list[Row]], others: dict[str, list[dict[str, float]]], weight: float,
          thresholds: tuple[float, float, float, float]) -> dict[str, dict[str, float]]:
    out = {}
    for lang, items in rows.items():
        hits: dict[str, list[bool]] = {"in_scope": [], "unrelated": [], "near_domain": []}
        for (kind, _, expected, s, diet), other in zip(items, others[lang], strict=True):
            hits[kind].append(hit(kind, expected, replay(blended_seen(s, diet, other, weight), *thresholds)))
        out[lang] = {kind: round(100 * sum(v) / len(v), 1) for kind, v in hits.items()}
    return out


def second_opinions(rows: dict[str, list[Row]], regularisation: float, balanced: bool
                    ) -> dict[str, list[dict[str, float]]]:
    training = training_examples()
    out = {}
    for lang, items in rows.items():
        texts, labels = zip(*training[lang], strict=True)
        model = LanguageModel.fit(list(texts), list(labels), regularisation, balanced)
        out[lang] = [model.scores(text) for _, text, _, _, _ in items]
    return out


def without_blend(agent: Any) -> None:
    """Parse with DIET's own ranking: the model's SecondOpinion (if it has one) blends with weight 0."""
    from bot.nlu.second_opinion import SecondOpinion

    for node in agent.processor.graph_runner._instantiated_nodes.values():
        component = getattr(node, "_component", None)
        if isinstance(component, SecondOpinion):
            component.weight = 0.0


def choose(grid: list[dict[str, Any]]) -> dict[str, Any]:
    """Best worst margin over the per-language targets, then the smallest total shortfall below the targets
    (close the gaps before widening what is met already), then the best mean margin; among equals the higher
    fallback threshold (the fewer answers on weak evidence), then the smaller weight."""
    return max(grid, key=lambda g: (g["worst_margin"], -g["shortfall"], g["mean_margin"], g["fallback"], -g["weight"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--regularisation", type=float, default=30.0)
    parser.add_argument("--balanced", action="store_true", help="labels weighted equally whatever their size")
    parser.add_argument("--output", default="second_opinion")
    args = parser.parse_args()
    quiet_logs()
    rows = asyncio.run(parse_dev(Path(args.model)))
    thresholds = configured()
    others = second_opinions(rows, args.regularisation, args.balanced)
    grid = []
    for weight in WEIGHTS:
        for fallback in FALLBACK_THRESHOLDS:
            per_language = score(rows, others, weight, (fallback, *thresholds[1:]))
            values = margins(per_language)
            grid.append({"weight": weight, "fallback": fallback, "worst_margin": round(min(values), 2),
                         "shortfall": round(-sum(v for v in values if v < 0), 2),
                         "mean_margin": round(sum(values) / len(values), 2), "per_language": per_language})
    result = {"model": Path(args.model).name, "split": "tests/data/nlu_dev2 + tests/data/open_set/dev",
              "regularisation": args.regularisation, "balanced": args.balanced, "targets_pct": TARGETS,
              # The pipeline before the second opinion: DIET alone, fallback threshold 0.5.
              "without_second_opinion": next(g for g in grid if g["weight"] == 0.0 and g["fallback"] == 0.5),
              "chosen": choose(grid), "grid": grid}
    print(json.dumps({k: v for k, v in result.items() if k != "grid"}, indent=1))
    print(write_result(args.output, result))


if __name__ == "__main__":
    main()
