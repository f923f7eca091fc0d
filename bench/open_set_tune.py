"""Chooses the NLU's rejection thresholds on the DEVELOPMENT splits only: the FallbackClassifier's
(threshold, ambiguity_threshold) and the open-set detector's (unrelated, uncovered), jointly.

Every message of the in-scope dev set (tests/data/nlu_dev/) and of the open-set dev set
(tests/data/open_set/dev/) is parsed once; the parse keeps what each stage saw (DIET's ranking before the
fallback, the detector's probabilities, the ResponseSelector's topic, the input guard's verdict), so the
pipeline's decision can be replayed for any threshold combination without parsing again. The in-scope
damage of the detector's thresholds is also bounded by the 5-fold rates stored in the model at training
time. The choice maximises the worst margin over the issue's per-language targets (in-scope >= 95%,
unrelated rejected >= 90%, near-domain rejected or routed >= 80%), then the mean margin.
The TEST splits (tests/data/nlu/, tests/data/open_set/<lang>.yml) are never read.
Prints the choice; config.yml takes the chosen values by hand (a reviewed change).

Run: python -m bench.open_set_tune [--model PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.common import quiet_logs, write_result
from bench.nlu import DEVELOPMENT, held_out
from bot import SUPPORTED_LANGUAGES
from bot.lifecycle.parsing import selected_topic
from bot.local_servers import MODEL
from bot.paths import ROOT

DEV = ROOT / "tests" / "data" / "open_set" / "dev"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
REJECTED = {OUT_OF_SCOPE, FALLBACK}
UNCOVERED = "faq/unanswered_contract_question"
KEEP = {"inform"}
TARGETS = {"in_scope": 95.0, "unrelated": 90.0, "near_domain": 80.0}
# The most in-scope damage a detector threshold may do, on the cross-validated training rates.
MAX_COVERED_AS_UNRELATED = 0.015
MAX_COVERED_AS_UNCOVERED = 0.02
FALLBACK_THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
AMBIGUITY_THRESHOLDS = (0.0, 0.02, 0.05, 0.08, 0.1)
NAMES = ("fallback", "ambiguity", "unrelated", "uncovered")


@dataclass(frozen=True)
class Seen:
    """What the pipeline's stages said about one message, before any threshold applied."""

    ranking: tuple[tuple[str, float], ...]  # DIET's, without the fallback's entry
    topic: str | None  # the ResponseSelector's own choice (before the detector re-routed it)
    unrelated: float
    uncovered: float
    guarded: bool  # the input guard routed it to the fallback (empty, huge, unsupported language)


def seen(parse: dict[str, Any]) -> Seen:
    ranking = tuple((str(r["name"]), float(r.get("confidence") or 0.0)) for r in parse.get("intent_ranking") or []
                    if r.get("name") != FALLBACK)
    evidence = parse.get("open_set") or {}
    original = str(evidence.get("original_intent") or "")
    topic = original if original.startswith("faq/") else selected_topic(parse)
    guarded = ((parse.get("input_check") or {}).get("kind") or "ok") != "ok"
    return Seen(ranking, topic, float(evidence.get("unrelated", 0.0)), float(evidence.get("uncovered", 0.0)), guarded)


def replay(s: Seen, fallback: float, ambiguity: float, t_unrelated: float, t_uncovered: float) -> str:
    """The pipeline's label for these thresholds: FallbackClassifier, then the detector's rule
    (bot.nlu.open_set.OpenSetDetector._decide), then the input guard; FAQ topics as faq/<topic>."""
    if s.guarded or not s.ranking:
        return FALLBACK
    intent, confidence = s.ranking[0]
    second = s.ranking[1][1] if len(s.ranking) > 1 else 0.0
    if confidence < fallback or confidence - second < ambiguity:
        intent = FALLBACK
    if intent in KEEP:
        return intent
    if intent != OUT_OF_SCOPE and s.unrelated >= t_unrelated:
        return OUT_OF_SCOPE
    if intent == "faq":
        return UNCOVERED if s.uncovered >= t_uncovered else str(s.topic)
    return intent


def diagnostics(model: Path) -> dict[str, Any]:
    with tarfile.open(model) as archive:
        for member in archive.getmembers():
            if member.name.endswith("open_set.json"):
                handle = archive.extractfile(member)
                assert handle is not None
                return dict(json.load(handle).get("diagnostics") or {})
    return {}


Rows = dict[str, list[tuple[str, str, Seen]]]  # language -> (kind, expected intent, what was seen)


def configured() -> tuple[float, float, float, float]:
    """The thresholds config.yml gives (those the model was trained with)."""
    steps = {step["name"].rsplit(".", 1)[-1]: step for step in
             yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]}
    fallback, detector = steps["FallbackClassifier"], steps["OpenSetDetector"]
    return (float(fallback["threshold"]), float(fallback["ambiguity_threshold"]),
            float(detector["unrelated_threshold"]), float(detector["uncovered_threshold"]))


def dev_items(language: str, in_scope: Path = DEVELOPMENT) -> list[tuple[str, str, str]]:
    """(kind, text, expected intent) of a language's in-scope dev messages and its open-set dev messages
    (kinds unrelated and near_domain, no expected intent)."""
    items = [("in_scope", text, intent) for text, intent in held_out(language, in_scope)]
    data = yaml.safe_load((DEV / f"{language}.yml").read_text(encoding="utf-8"))
    return items + [(kind, text, "") for kind in ("unrelated", "near_domain") for text in data[kind]]


def hit(kind: str, expected: str, got: str) -> bool:
    """Right for the issue's targets: the intent for in-scope messages (the fallback counts as out of scope),
    rejected for unrelated ones, rejected or routed to the uncovered answer for near-domain ones."""
    if kind == "in_scope":
        return got == expected or (expected == OUT_OF_SCOPE and got == FALLBACK)
    return got in (REJECTED if kind == "unrelated" else REJECTED | {UNCOVERED})


async def parse_dev(model: Path) -> tuple[Rows, float]:
    """The dev messages as seen by each stage, and the share of them whose replay at the configured
    thresholds gives the pipeline's own label (a check of the replay)."""
    from bot.lifecycle.parsing import label_of
    from bot.model_loading import load_agent

    agent = load_agent(str(model))
    thresholds = configured()
    out: Rows = {}
    agree, total = 0, 0
    for lang in SUPPORTED_LANGUAGES:
        out[lang] = []
        for kind, text, expected in dev_items(lang):
            parse = await agent.parse_message(text)
            out[lang].append((kind, expected, seen(parse)))
            agree += replay(out[lang][-1][2], *thresholds) == label_of(parse)[0]
            total += 1
    return out, round(100 * agree / total, 2)


def score(rows: Rows, thresholds: tuple[float, float, float, float]) -> dict[str, dict[str, float]]:
    per_language = {}
    for lang, items in rows.items():
        hits: dict[str, list[bool]] = {"in_scope": [], "unrelated": [], "near_domain": []}
        for kind, expected, s in items:
            hits[kind].append(hit(kind, expected, replay(s, *thresholds)))
        per_language[lang] = {kind: round(100 * sum(v) / len(v), 1) for kind, v in hits.items() if v}
    return per_language


def margins(per_language: dict[str, dict[str, float]]) -> list[float]:
    return [value - TARGETS[kind] for row in per_language.values() for kind, value in row.items()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(MODEL))
    args = parser.parse_args()
    quiet_logs()
    model = Path(args.model)
    rows, agreement = asyncio.run(parse_dev(model))
    rates = diagnostics(model).get("cross_validated_rates", {})
    allowed_u = [float(k) for k, v in rates.items() if v["covered_as_unrelated"] <= MAX_COVERED_AS_UNRELATED]
    allowed_c = [float(k) for k, v in rates.items() if v["covered_as_uncovered"] <= MAX_COVERED_AS_UNCOVERED]
    grid = []
    for combination in itertools.product(FALLBACK_THRESHOLDS, AMBIGUITY_THRESHOLDS, allowed_u, allowed_c):
        per_language = score(rows, combination)
        values = margins(per_language)
        grid.append({"thresholds": dict(zip(NAMES, combination, strict=True)),
                     "worst_margin": round(min(values), 2), "mean_margin": round(sum(values) / len(values), 2),
                     "per_language": per_language})
    # Best worst margin, then best mean; among equals, the highest thresholds (the least rejected).
    best = max(grid, key=lambda g: (g["worst_margin"], g["mean_margin"], g["thresholds"]["unrelated"],
                                    g["thresholds"]["uncovered"], -g["thresholds"]["fallback"]))
    # How far thresholds alone could lift each language's in-scope DEV accuracy (whatever they cost elsewhere).
    best_in_scope = {lang: max(g["per_language"][lang]["in_scope"] for g in grid) for lang in rows}
    current = configured()
    result = {"model": model.name, "split": "dev", "targets_pct": TARGETS, "replay_agrees_with_pipeline_pct": agreement,
              "chosen": best, "configured": {"thresholds": dict(zip(NAMES, current, strict=True)),
                             "per_language": score(rows, current)},
              "best_in_scope_dev_any_thresholds": best_in_scope,
              "without_detector": score(rows, (*current[:2], 2.0, 2.0)), "grid_size": len(grid)}
    print(json.dumps(result, indent=2))
    print(write_result("open_set_tuning", result))


if __name__ == "__main__":
    main()
