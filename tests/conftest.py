"""Shared fixtures. Tests never read ../shared/: everything they need is in the repository."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("REQUEST_KEY_SECRET", "test-request-key-secret-0123456789")  # HMAC key of request keys

ROOT = Path(__file__).resolve().parent.parent
MONDAY = "2026-11-30T10:00:00+02:00"  # a Monday in support hours (CLOCK_OVERRIDE): clock-dependent replies are stable


@pytest.fixture
def locales_copy(tmp_path: Path) -> Path:
    """A writable copy of locales/, for tests that break the content on purpose."""
    target = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", target)
    return target


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty application database: SQLite always; PostgreSQL when TEST_DATABASE_URL is set
    (CI sets it), in a schema of its own that is dropped afterwards."""
    from bot.db.engine import dispose_all
    from bot.db.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
        schema = None
    else:
        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            pytest.skip("TEST_DATABASE_URL is not set (CI sets it to the local PostgreSQL)")
        import sqlalchemy

        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = sqlalchemy.create_engine(base, future=True)
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{schema}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    dispose_all()
    if schema:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (tests/chromium.py), one per test module."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import ARGS, CHROMIUM

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One action server, Rasa server and web server (SQLite) for the test modules that only talk to them as
    customers do, each conversation under its own sender id: loading the full model takes most of a minute,
    so they share it. Modules that change limits, clocks, accounts or queues start their own."""
    from bot.local_servers import Servers

    folder = tmp_path_factory.mktemp("stack")
    running = Servers(tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", logs=folder,
                      env={"CLOCK_OVERRIDE": MONDAY})
    running.start(("actions", "rasa", "web"), timeout=900)  # a busy machine loads the model slowly
    yield running
    running.stop()
