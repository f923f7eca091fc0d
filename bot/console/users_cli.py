"""`python -m bot users add|list|disable|password`. Passwords come from a prompt (typed twice) or, for
scripts, from standard input with --password-stdin; never from the command line, where `ps` and the shell
history would show them."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Callable

from bot.console import users
from bot.console.passwords import WeakPassword
from bot.db.engine import session_scope
from bot.db.migrate import upgrade


def read_password(args: argparse.Namespace) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise users.UserError("the two passwords differ")
    return first


def add(args: argparse.Namespace) -> int:
    upgrade()
    with session_scope() as db:
        user = users.add(db, args.name, read_password(args), args.role, users.parse_queues(args.queues or ""),
                         display_name=args.display_name, language=args.language)
        print(f"Created {user.role} {user.name!r} ({user.display_name}), queues: {', '.join(user.queues) or '-'}, "
              f"console language: {user.language or 'the browser' + chr(39) + 's'}.")
    return 0


def list_users(args: argparse.Namespace) -> int:
    upgrade()
    with session_scope() as db:
        for user in users.all_users(db):
            state = "active" if user.active else "disabled"
            print(f"{user.name}\t{user.role}\t{state}\t{','.join(user.queues) or '-'}\t{user.display_name}")
    return 0


def disable(args: argparse.Namespace) -> int:
    upgrade()
    with session_scope() as db:
        user = users.disable(db, args.name)
        print(f"Disabled {user.name!r}; their sessions have ended.")
    return 0


def password(args: argparse.Namespace) -> int:
    upgrade()
    with session_scope() as db:
        if users.find(db, args.name) is None:  # ask for no password for an account that does not exist
            raise users.UserError(f"no account named {users.normalize_name(args.name)!r}")
        user = users.set_password(db, args.name, read_password(args))
        print(f"Password of {user.name!r} changed; their sessions have ended.")
    return 0


def configure(command: str, parser: argparse.ArgumentParser) -> None:
    """Adds the arguments of `users <command>`."""
    if command in ("add", "disable", "password"):
        parser.add_argument("name", help="sign-in name (letters, digits, . _ -)")
    if command == "add":
        parser.add_argument("--role", required=True, choices=("agent", "editor", "admin"))
        parser.add_argument("--queues", default="", help="comma-separated, e.g. contracts-RO,renewals-ES")
        parser.add_argument("--display-name", help="shown to customers when the agent joins (default: NAME)")
        parser.add_argument("--language", choices=("en", "de", "ro", "nl", "es"),
                            help="the console's language for this account (default: the browser's)")
    if command in ("add", "password"):
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Runs a users command, turning invalid input into a message and exit status 1."""
    try:
        return int(handler(args))
    except (users.UserError, WeakPassword) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
