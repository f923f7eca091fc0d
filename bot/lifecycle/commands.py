"""CLI handlers of `python -m bot model train|evaluate`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.paths import VAR_DIR

REPORTS_DIR = VAR_DIR / "reports"


def train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="training configuration (default config.yml; tests use a small one)")
    parser.add_argument("--force", action="store_true", help="train even if a model of the same inputs exists")


def model_train(args: argparse.Namespace) -> int:
    from bot.lifecycle.training import train

    train(Path(args.config) if args.config else None, force=args.force)
    return 0


def evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", help="model archive (default: the one matching the data, else the newest)")
    parser.add_argument("--against", help="the serving model to compare with (default: the published version's)")
    parser.add_argument("--out", help=f"report folder (default {REPORTS_DIR}/<model>)")


def report_folder(model: Path) -> Path:
    return REPORTS_DIR / model.name.removesuffix(".tar.gz")


def serving_model() -> Path | None:
    """The published version's model, if a version is published."""
    try:
        from bot.lifecycle.registry import Registry
    except ImportError:
        return None
    current = Registry().current()
    return current.model if current else None


def model_evaluate(args: argparse.Namespace) -> int:
    from bot.lifecycle.evaluation import evaluate, write_summary
    from bot.lifecycle.models import default_model
    from bot.lifecycle.parsing import ModelParser
    from bot.lifecycle.report import write_report

    model = Path(args.model) if args.model else default_model()
    if model is None or not model.exists():
        print(f"No model to evaluate ({model or 'models/ is empty'}): `python -m bot model train`", file=sys.stderr)
        return 2
    against = Path(args.against) if args.against else serving_model()
    if args.against and not Path(args.against).exists():
        print(f"No such model: {args.against}", file=sys.stderr)
        return 2
    if against is not None and (not against.exists() or against.resolve() == model.resolve()):
        against = None  # nothing to compare with: the serving model is this one

    started = time.monotonic()
    print(f"Loading {model.name} ...", flush=True)
    parse = ModelParser(model).parse
    serving = None
    if against is not None:
        print(f"Loading the serving model {against.name} ...", flush=True)
        serving = ModelParser(against).parse
    results = evaluate(parse, serving)
    folder = Path(args.out) if args.out else report_folder(model)
    write_summary(results, folder, model.name, against.name if against else None)
    index = write_report(results, folder, model.name, against.name if against else None)
    print("| language | messages | intent accuracy | FAQ-topic accuracy | regressions |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        regressions = str(len(r.regressions)) if against else "-"
        print(f"| {r.language} | {r.messages} | {r.intent_accuracy}% | {r.faq_topic_accuracy}% | {regressions} |")
    print(f"Report: {index} ({time.monotonic() - started:.0f} s)")
    return 0
