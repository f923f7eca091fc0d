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


def _servers_and_token() -> tuple[list[str], str]:
    """RASA_SERVERS (comma-separated base URLs; default the local Rasa) and the API token."""
    import os

    from bot.settings import SECRETS_FILE, check_secret, read_env_file

    env = {**read_env_file(SECRETS_FILE), **os.environ} if SECRETS_FILE.exists() else dict(os.environ)
    servers = [s.strip().rstrip("/") for s in env.get("RASA_SERVERS", "").split(",") if s.strip()]
    if not servers:
        servers = [f"http://127.0.0.1:{env.get('RASA_PORT', '5005')}"]
    return servers, check_secret("RASA_AUTH_TOKEN", env.get("RASA_AUTH_TOKEN"))


def model_list(args: argparse.Namespace) -> int:
    from bot.lifecycle.evaluation import read_summary
    from bot.lifecycle.models import trained_models
    from bot.lifecycle.registry import Registry

    registry = Registry()
    current = registry.current()
    print("Published versions (never pruned; `model rollback` goes back one):")
    for version in registry.versions():
        marker = "*" if current and version.id == current.id else " "
        scores = " ".join(f"{lang} {s.get('intent_accuracy')}/{s.get('faq_topic_accuracy')}"
                          for lang, s in version.evaluation.items())
        print(f" {marker} {version.id:5} {version.info['model']}  {version.info['created']}  {scores}")
    if not registry.versions():
        print("   none")
    print("Trained models (intent / FAQ-topic accuracy per language, from `model evaluate`):")
    for model in trained_models():
        summary = read_summary(report_folder(model))
        scores = " ".join(f"{lang} {s['intent_accuracy']}/{s['faq_topic_accuracy']}"
                          for lang, s in (summary or {}).get("languages", {}).items()) or "not evaluated"
        print(f"   {model.name}  {scores}")
    return 0


def publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", nargs="?",
                        help="a version (v3) or a model archive (default: the model matching the data)")


def model_publish(args: argparse.Namespace) -> int:
    from bot.lifecycle.evaluation import read_summary
    from bot.lifecycle.models import default_model
    from bot.lifecycle.publish import gate, load_quality, publish
    from bot.lifecycle.registry import Registry

    registry = Registry()
    if args.version and not Path(args.version).exists():
        try:
            target = registry.get(args.version)
        except KeyError as error:
            print(error.args[0], file=sys.stderr)
            return 2
    else:
        model = Path(args.version) if args.version else default_model()
        if model is None or not model.exists():
            print("No model to publish: `python -m bot model train`", file=sys.stderr)
            return 2
        evaluation = (read_summary(report_folder(model)) or {}).get("languages") or {}
        current = registry.current()
        refused = gate(evaluation, current.evaluation if current else None, load_quality())
        if refused:  # no version is recorded for a model that may not be published
            for reason in refused:
                print(f"refused: {reason}", file=sys.stderr)
            return 1
        target = registry.create(model, evaluation)
    servers, token = _servers_and_token()
    started = time.monotonic()
    outcome = publish(target, registry, servers, token)
    for message in outcome.messages:
        print(message, file=sys.stdout if outcome.ok else sys.stderr)
    print(f"Serving: {outcome.version or 'nothing published'} ({time.monotonic() - started:.0f} s)")
    return 0 if outcome.ok else 1


def model_rollback(args: argparse.Namespace) -> int:
    from bot.lifecycle.publish import rollback
    from bot.lifecycle.registry import Registry

    servers, token = _servers_and_token()
    outcome = rollback(Registry(), servers, token)
    for message in outcome.messages:
        print(message, file=sys.stdout if outcome.ok else sys.stderr)
    print(f"Serving: {outcome.version or 'nothing published'}")
    return 0 if outcome.ok else 1


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=None, help="default MODEL_SERVER_PORT or 5006")


def model_serve(args: argparse.Namespace) -> int:
    import os

    from bot.lifecycle.model_server import serve

    serve(args.port or int(os.environ.get("MODEL_SERVER_PORT", "5006")))
    return 0
