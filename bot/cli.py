"""Command line: `python -m bot <group> <command>`."""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence


def _content_check(args: argparse.Namespace) -> int:
    from bot import content

    problems = content.check()
    errors = content.errors_only(problems)
    for problem in problems:
        if problem.severity != "gap" or args.gaps:
            print(problem)
    gaps = [p for p in problems if p.severity == "gap"]
    if errors:
        print(f"Content check failed: {len(errors)} error(s).", file=sys.stderr)
        return 1
    target = content.write_domain_responses()
    print(f"Content OK ({len(gaps)} open gap(s); `--gaps` lists them). Built {target.name}.")
    return 0


def _content_build(args: argparse.Namespace) -> int:
    from bot import content

    print(content.write_domain_responses())
    return 0


def _model_fingerprint(args: argparse.Namespace) -> int:
    from bot import model

    print(model.model_path())
    return 0


def _model_ensure(args: argparse.Namespace) -> int:
    from bot import model

    model.ensure_model()
    return 0


def _secrets_ensure(args: argparse.Namespace) -> int:
    from bot.settings import SECRETS_FILE, ensure_local_secrets

    ensure_local_secrets()
    print(SECRETS_FILE)
    return 0


def _db_migrate(args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade

    upgrade()
    print("Database schema is up to date.")
    return 0


def _db_seed(args: argparse.Namespace) -> int:
    from bot.db.engine import session_scope
    from bot.db.migrate import upgrade
    from bot.db.quotes_io import DEMO_CUSTOMER, seed_demo

    upgrade()
    with session_scope() as session:
        count = seed_demo(session)
    print(f"Loaded {count} DEMO quotes (Q-90000001 ... Q-9000000{count}) for customer number {DEMO_CUSTOMER}.")
    return 0


def _quotes_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.db.engine import session_scope
    from bot.db.migrate import upgrade
    from bot.db.quotes_io import import_csv

    upgrade()
    with session_scope() as session:
        report = import_csv(session, Path(args.file))
        if report.errors:
            session.rollback()
    if report.errors:
        print(f"Nothing imported: {len(report.errors)} invalid row(s).", file=sys.stderr)
        for error in report.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(f"Imported {report.quotes} quote(s) with {report.items} line item(s).")
    return 0


def _users(name: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        from bot.console import users_cli

        return users_cli.run(getattr(users_cli, name), args)

    return handler


def _privacy(args: argparse.Namespace) -> int:
    import json

    from bot.privacy import registry

    erasers = registry.load_erasers(registry.PrivacyConfig.from_env())
    if args.command == "purge":
        try:
            done = registry.purge(erasers)
        except RuntimeError as error:  # bot.db.engine.checkpoint_sqlite: another process kept writing
            print(f"NOT DONE: {error}", file=sys.stderr)
            return 1
        for store, counts in done.items():
            print(f"{store}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    subject = registry.Subject.of(args.conversation, args.email, args.customer)
    if args.command == "export":
        print(json.dumps(registry.export(subject, erasers), indent=2, ensure_ascii=False, default=str))
        return 0
    report = registry.erase(subject, erasers)
    for line in report.lines():
        print(line)
    return 1 if report.problems else 0


def _run(args: argparse.Namespace) -> int:
    if getattr(args, "production", False):
        from bot.production.run import run_production

        return run_production(args.replicas)
    from bot.runner import run

    return run()


def _events_consume(args: argparse.Namespace) -> int:
    from bot.events.consumer import main

    return main()


def _content_import(args: argparse.Namespace) -> int:
    from bot.editor.commands import content_import

    return content_import(args)


def _lifecycle(name: str) -> Callable[[argparse.Namespace], int]:
    """A handler of bot.lifecycle.commands, imported only when its command runs (Rasa is slow to import)."""

    def handler(args: argparse.Namespace) -> int:
        from bot.lifecycle import commands

        return int(getattr(commands, name)(args))

    return handler


def _lifecycle_arguments(name: str) -> Callable[[argparse.ArgumentParser], None]:
    def configure(parser: argparse.ArgumentParser) -> None:
        from bot.lifecycle import commands

        getattr(commands, name)(parser)

    return configure


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    from bot.editor.commands import import_arguments

    import_arguments(parser)


COMMANDS: dict[tuple[str, str], tuple[Callable[[argparse.Namespace], int], str]] = {
    ("content", "check"): (_content_check, "validate locales/ and build domain/responses.yml"),
    ("content", "build"): (_content_build, "build domain/responses.yml without checking"),
    ("content", "import"): (_content_import, "compare an updated FAQ page with the content; --apply writes it"),
    ("model", "path"): (_model_fingerprint, "print the model path matching the current inputs"),
    ("model", "ensure"): (_model_ensure, "train unless a model matches the current inputs"),
    ("model", "train"): (_lifecycle("model_train"), "train with progress and the time taken"),
    ("model", "evaluate"): (_lifecycle("model_evaluate"), "accuracy per language, confusions, regressions: HTML report"),
    ("model", "list"): (_lifecycle("model_list"), "published versions, the serving one, trained models and their scores"),
    ("model", "publish"): (_lifecycle("model_publish"), "check a version's quality, put it on every Rasa server"),
    ("model", "rollback"): (_lifecycle("model_rollback"), "back to the previously published version"),
    ("model", "serve"): (_lifecycle("model_serve"), "the model server Rasa pulls the published version from"),
    ("secrets", "ensure"): (_secrets_ensure, "create var/secrets.env with local tokens if missing"),
    ("db", "migrate"): (_db_migrate, "apply the database migrations (DATABASE_URL)"),
    ("db", "seed"): (_db_seed, "load the clearly marked DEMO renewal quotes"),
    ("quotes", "import"): (_quotes_import, "import renewal quotes from a CSV export (all or nothing)"),
    ("users", "add"): (_users("add"), "create a console account (agent, editor, admin)"),
    ("users", "list"): (_users("list_users"), "list the console accounts"),
    ("users", "disable"): (_users("disable"), "disable an account and end its sessions"),
    ("users", "password"): (_users("password"), "set a new password and end the account's sessions"),
    ("privacy", "erase"): (_privacy, "erase a person's data everywhere (tracker, requests, ...)"),
    ("privacy", "export"): (_privacy, "print everything held about a person as JSON"),
    ("privacy", "purge"): (_privacy, "delete/anonymise data older than the retention periods (cron-safe)"),
    ("run", "all"): (_run, "start the action server and Rasa on localhost"),
    ("events", "consume"): (_events_consume, "consume Rasa's RabbitMQ events into the analytics tables"),
}


def _production_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--production", action="store_true",
                        help="several Rasa servers behind HAProxy on PostgreSQL, Redis and RabbitMQ")
    parser.add_argument("--replicas", type=int, default=None, help="Rasa servers (default RASA_REPLICAS or 2)")


ARGUMENTS: dict[tuple[str, str], Callable[[argparse.ArgumentParser], None]] = {
    ("content", "import"): _import_arguments,
    ("model", "train"): _lifecycle_arguments("train_arguments"),
    ("model", "evaluate"): _lifecycle_arguments("evaluate_arguments"),
    ("model", "publish"): _lifecycle_arguments("publish_arguments"),
    ("model", "serve"): _lifecycle_arguments("serve_arguments"),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    groups = parser.add_subparsers(dest="group", required=True)
    by_group: dict[str, argparse._SubParsersAction] = {}
    for (group, command), (handler, help_text) in COMMANDS.items():
        if group not in by_group:
            group_parser = groups.add_parser(group)
            if group == "run":
                _production_options(group_parser)
            by_group[group] = group_parser.add_subparsers(dest="command")
        sub = by_group[group].add_parser(command, help=help_text)
        sub.set_defaults(handler=handler)
        if (group, command) == ("content", "check"):
            sub.add_argument("--gaps", action="store_true", help="also list content gaps")
        if group == "users":
            from bot.console.users_cli import configure

            configure(command, sub)
        if (group, command) == ("run", "all"):
            _production_options(sub)
        if (group, command) in ARGUMENTS:
            ARGUMENTS[(group, command)](sub)
        if group == "privacy" and command != "purge":
            who = sub.add_mutually_exclusive_group(required=True)
            who.add_argument("--conversation", help="conversation (sender) id")
            who.add_argument("--email", help="e-mail address")
            who.add_argument("--customer", help="customer (or contract) number")
        if (group, command) == ("quotes", "import"):
            sub.add_argument("file", help="CSV file (see bot/db/quotes_io.py for the columns)")
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        if args.group == "run":
            return _run(args)
        parser.error(f"`{args.group}` needs a command")
    return int(args.handler(args))
