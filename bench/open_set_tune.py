"""Chooses the open-set detector's two thresholds on the DEVELOPMENT split only (tests/data/open_set/dev/).

The unrelated / uncovered side of the trade-off comes from the dev messages; the in-scope side (how many
covered questions a threshold would wrongly reject) from the 5-fold rates the detector stores in the model
at training time. The TEST split (tests/data/open_set/<lang>.yml) and the held-out NLU files are never read.
Prints the grid and the choice; config.yml takes the chosen values by hand (a reviewed change).

Run: python -m bench.open_set_tune [--model PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tarfile
from pathlib import Path
from typing import Any

import yaml

from bench.common import quiet_logs, write_result
from bench.nlu import predicted_intent
from bot import SUPPORTED_LANGUAGES
from bot.local_servers import MODEL
from bot.paths import ROOT

DEV = ROOT / "tests" / "data" / "open_set" / "dev"
REJECTED = {"out_of_scope", "nlu_fallback"}
UNCOVERED = "faq/unanswered_contract_question"
KEEP = {"inform"}
# The most in-scope damage a threshold may do, on the cross-validated training rates.
MAX_COVERED_AS_UNRELATED = 0.015
MAX_COVERED_AS_UNCOVERED = 0.02


def original_intent(parse: dict[str, Any]) -> str:
    """What DIET, the ResponseSelector and the FallbackClassifier said before the detector decided."""
    evidence = parse.get("open_set") or {}
    original = evidence.get("original_intent")
    if not original:
        return predicted_intent(parse)
    if original == "faq":  # overridden to out_of_scope: the selector still holds its topic
        return predicted_intent({**parse, "intent": {"name": "faq"}})
    return str(original)


def decide(original: str, unrelated: float, uncovered: float, t_unrelated: float, t_uncovered: float) -> str:
    """The detector's rule (bot.nlu.open_set.OpenSetDetector._decide), replayed for a threshold pair."""
    if original in KEEP:
        return original
    if original != "out_of_scope" and unrelated >= t_unrelated:
        return "out_of_scope"
    if original.startswith("faq/") and original != UNCOVERED and uncovered >= t_uncovered:
        return UNCOVERED
    return original


def diagnostics(model: Path) -> dict[str, Any]:
    with tarfile.open(model) as archive:
        for member in archive.getmembers():
            if member.name.endswith("open_set.json"):
                handle = archive.extractfile(member)
                assert handle is not None
                return dict(json.load(handle).get("diagnostics") or {})
    return {}


async def parse_dev(model: Path) -> dict[str, list[tuple[str, str, float, float]]]:
    from bot.model_loading import load_agent

    agent = load_agent(str(model))
    out: dict[str, list[tuple[str, str, float, float]]] = {}
    for lang in SUPPORTED_LANGUAGES:
        data = yaml.safe_load((DEV / f"{lang}.yml").read_text(encoding="utf-8"))
        rows = []
        for kind in ("unrelated", "near_domain"):
            for text in data[kind]:
                parse = await agent.parse_message(text)
                evidence = parse.get("open_set") or {}
                rows.append((kind, original_intent(parse), float(evidence.get("unrelated", 0.0)),
                             float(evidence.get("uncovered", 0.0))))
        out[lang] = rows
    return out


def score(rows: dict[str, list[tuple[str, str, float, float]]], t_unrelated: float, t_uncovered: float) -> dict:
    per_language = {}
    for lang, items in rows.items():
        unrelated = [decide(o, u, c, t_unrelated, t_uncovered) in REJECTED for k, o, u, c in items if k == "unrelated"]
        near = [decide(o, u, c, t_unrelated, t_uncovered) in REJECTED | {UNCOVERED}
                for k, o, u, c in items if k == "near_domain"]
        per_language[lang] = {"unrelated_rejected": round(100 * sum(unrelated) / len(unrelated), 1),
                              "near_domain_rejected_or_routed": round(100 * sum(near) / len(near), 1)}
    return per_language


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(MODEL))
    args = parser.parse_args()
    quiet_logs()
    model = Path(args.model)
    rows = asyncio.run(parse_dev(model))
    rates = diagnostics(model).get("cross_validated_rates", {})
    grid = []
    for key_u, in_u in rates.items():
        for key_c, in_c in rates.items():
            per_language = score(rows, float(key_u), float(key_c))
            scores = [v for x in per_language.values() for v in x.values()]
            worst, mean = min(scores), round(sum(scores) / len(scores), 2)
            allowed = (in_u["covered_as_unrelated"] <= MAX_COVERED_AS_UNRELATED
                       and in_c["covered_as_uncovered"] <= MAX_COVERED_AS_UNCOVERED)
            grid.append({"unrelated_threshold": float(key_u), "uncovered_threshold": float(key_c),
                         "worst_dev": worst, "mean_dev": mean, "allowed": allowed,
                         "covered_as_unrelated": in_u["covered_as_unrelated"],
                         "covered_as_uncovered": in_c["covered_as_uncovered"], "per_language": per_language})
    allowed = [g for g in grid if g["allowed"]] or grid
    # Best worst-language dev score, then best mean; among equals, the highest thresholds (least in-scope damage).
    best = max(allowed, key=lambda g: (g["worst_dev"], g["mean_dev"], g["unrelated_threshold"], g["uncovered_threshold"]))
    result = {"model": model.name, "chosen": best, "baseline_without_detector": score(rows, 2.0, 2.0),
              "grid_size": len(grid)}
    print(json.dumps(result, indent=2))
    print(write_result("open_set_tuning", result))


if __name__ == "__main__":
    main()
