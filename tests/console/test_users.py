"""Accounts and the `python -m bot users ...` commands, on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.console import sessions, users
from bot.console.passwords import verify
from bot.db.engine import session_scope
from bot.db.models import ConsoleSession, User

PASSWORD = "correct horse battery"


def add_anna(db_url: str) -> None:
    with session_scope(db_url) as db:
        users.add(db, "Anna", PASSWORD, "agent", ["contracts-RO"], display_name="Anna Popescu")


def test_queues_are_parsed_and_checked_against_the_countries() -> None:
    assert users.parse_queues("contracts-ro, renewals-ES,contracts-RO") == ["contracts-RO", "renewals-ES"]
    for bad in ("contracts-XX", "sales-RO", "contracts"):
        with pytest.raises(users.UserError, match="unknown queue"):
            users.parse_queues(bad)


def test_add_stores_a_hash_and_names_are_case_insensitive(db_url: str) -> None:
    add_anna(db_url)
    with session_scope(db_url) as db:
        user = users.find(db, " ANNA ")
        assert user is not None and user.name == "anna" and user.display_name == "Anna Popescu"
        assert user.queues == ["contracts-RO"] and user.role == "agent" and user.active
        assert PASSWORD not in user.password_hash and verify(user.password_hash, PASSWORD)
        with pytest.raises(users.UserError, match="exists already"):
            users.add(db, "anna", PASSWORD, "agent", ["contracts-RO"])
        with pytest.raises(users.UserError, match="at least one queue"):
            users.add(db, "bob", PASSWORD, "agent", [])
        with pytest.raises(users.UserError, match="role"):
            users.add(db, "bob", PASSWORD, "boss", [])


def test_disable_and_new_password_end_the_sessions(db_url: str) -> None:
    add_anna(db_url)
    with session_scope(db_url) as db:
        user = users.find(db, "anna")
        assert user is not None
        sessions.start(db, user)
        users.set_password(db, "anna", "another long password")
        assert db.execute(select(ConsoleSession)).first() is None
        sessions.start(db, user)
        users.disable(db, "anna")
        assert db.execute(select(ConsoleSession)).first() is None
        assert not user.active and verify(user.password_hash, "another long password")


def test_cli_add_reads_the_password_from_stdin(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "Anna", "--role", "agent", "--queues", "contracts-RO,renewals-es",
                 "--display-name", "Anna P.", "--language", "ro", "--password-stdin"]) == 0
    assert ("Created agent 'anna' (Anna P.), queues: contracts-RO, renewals-ES, console language: ro."
            in capsys.readouterr().out)
    with session_scope(db_url) as db:
        user = db.execute(select(User)).scalar_one()
        assert verify(user.password_hash, PASSWORD) and user.language == "ro"
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out == "anna\tagent\tactive\tcontracts-RO,renewals-ES\tAnna P.\n"


def test_cli_prompts_twice_and_refuses_a_mismatch(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["users", "add", "erika", "--role", "editor"]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert main(["users", "add", "erika", "--role", "editor"]) == 0


def test_cli_never_takes_a_password_argument(db_url: str) -> None:
    with pytest.raises(SystemExit):
        main(["users", "add", "erika", "--role", "editor", "--password", PASSWORD])


def test_cli_refuses_bad_input_with_a_message(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "bob", "--role", "agent", "--queues", "contracts-RO", "--password-stdin"]) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert main(["users", "add", "bob", "--role", "agent", "--queues", "contracts-XX", "--password-stdin"]) == 1
    assert "unknown queue 'contracts-XX'" in capsys.readouterr().err
    assert main(["users", "disable", "nobody"]) == 1
    assert "no account named 'nobody'" in capsys.readouterr().err


def test_cli_disable_and_password(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    add_anna(db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert main(["users", "password", "anna", "--password-stdin"]) == 0
    assert main(["users", "disable", "ANNA"]) == 0
    with session_scope(db_url) as db:
        user = users.find(db, "anna")
        assert user is not None and not user.active and verify(user.password_hash, "a brand new password")
