"""CLI handlers of the editor's content commands (`python -m bot content import ...`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("page", help="the FAQ page saved as text")
    parser.add_argument("--locale", required=True, help="the locale the page is for, e.g. ro-RO")
    parser.add_argument("--model", help="model to map questions with (default: the published version's, else the newest)")
    parser.add_argument("--apply", action="store_true", help="write the accepted changes and run the content check")
    parser.add_argument("--skip", default="", help="ids of proposed changes to reject, e.g. F2,Q5")


def content_import(args: argparse.Namespace) -> int:
    from bot import content
    from bot.editor.apply import apply
    from bot.editor.importer import analyse, render
    from bot.lifecycle.commands import serving_model
    from bot.lifecycle.models import default_model

    page = Path(args.page)
    if not page.is_file():
        print(f"No such page: {page}", file=sys.stderr)
        return 2
    model = Path(args.model) if args.model else (serving_model() or default_model())
    classify = None
    if model is not None and model.exists():
        from bot.lifecycle.parsing import ModelParser

        classify = ModelParser(model).parse
    elif args.model:
        print(f"No such model: {model}", file=sys.stderr)
        return 2
    try:
        report = analyse(page.read_text(encoding="utf-8"), args.locale, classify, model if classify else None)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    print(render(report))
    if not args.apply:
        print("\nNothing changed. `--apply` writes these changes (`--skip F1,Q3` rejects some).")
        return 0
    result = apply(report, args.skip.split(","))
    if result.problems:
        print("\nThe content check failed; nothing was changed:", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    content.write_domain_responses()
    print("\nApplied; content check passed. Changes:")
    for diff in result.diffs.values():
        print(diff, end="")
    if any(path.suffix == ".yml" and "nlu" in path.parts for path in result.diffs):
        print("Training data changed: `python -m bot model train`, then `model evaluate`.")
    return 0
