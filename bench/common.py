"""Shared benchmark helpers: test-set loading, result files, percentiles."""

from __future__ import annotations

import json
import platform
import statistics
from pathlib import Path
from typing import Any, Sequence

from bot import SUPPORTED_LANGUAGES
from bot.paths import ROOT

RESULTS = ROOT / "bench" / "results"
LANGUAGE_SETS = ROOT / "tests" / "data" / "language"


def language_set(kind: str) -> list[tuple[str, str]]:
    """(text, language) pairs of tests/data/language/<kind>_<lang>.txt."""
    pairs = []
    for lang in SUPPORTED_LANGUAGES:
        path = LANGUAGE_SETS / f"{kind}_{lang}.txt"
        pairs += [(line.strip(), lang) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pairs


def training_examples() -> list[tuple[str, str]]:
    """(text, language) of every NLU training example, read the way `rasa train` reads them."""
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.nlu.language_identifier import language_training_pairs

    return language_training_pairs(load_data(str(ROOT / "data" / "nlu")).intent_examples)


def quiet_logs() -> None:
    """Rasa's structlog prints a debug line per parse unless configured."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50) * 1000, 1),
        "p95_ms": round(percentile(samples, 95) * 1000, 1),
        "mean_ms": round(statistics.fmean(samples) * 1000, 1) if samples else float("nan"),
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}", **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
