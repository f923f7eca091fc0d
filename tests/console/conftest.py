"""A real web server (`python -m bot.web`, as `make run` starts it) on a migrated SQLite database with one
account per role. It trusts one proxy hop, so tests can sign in "from" different client addresses."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

from bot.local_servers import TOKEN, free_port, http
from tests.console.client import Client
from tests.console.fake_rasa import FakeRasa

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
ACCOUNTS = {  # name: (role, queues)
    "anna": ("agent", ["contracts-RO", "renewals-RO"]),
    "ioana": ("agent", ["contracts-RO"]),
    "pablo": ("agent", ["contracts-ES"]),
    "erika": ("editor", []),
    "root": ("admin", ["contracts-DE"]),
}


@dataclass
class Console:
    url: str
    database_url: str
    rasa: FakeRasa
    _clients: dict[str, Client] = field(default_factory=dict)

    def client(self, address: str = "10.0.0.1") -> Client:
        return Client(self.url, address)

    def signed_in(self, name: str, address: str = "10.0.0.1") -> Client:
        client = self.client(address)
        assert client.sign_in(name, PASSWORD).status == 303
        return client

    def shared(self, name: str) -> Client:
        """One signed-in client per account for tests that only read (signing in costs an argon2 hash)."""
        if name not in self._clients:
            self._clients[name] = self.signed_in(name, "10.8.0.1")
        return self._clients[name]

    def publish(self, topic: str, payload: dict) -> None:
        """What the action server and Rasa's channel do: publish on the bus the web server hosts."""
        status, _ = http("POST", f"{self.url}/internal/bus/publish", {"topic": topic, "payload": payload},
                         {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200

    def escalate(self, conversation_id: str, queue: str = "contracts-RO", language: str = "ro",
                 last_message: str = "Vreau să vorbesc cu un om") -> int:
        from bot.db.engine import session_scope
        from bot.handoff import service

        with session_scope(self.database_url) as db:
            escalation = service.create_escalation(
                db, conversation_id=conversation_id, language=language, country=queue[-2:], queue=queue,
                reason="customer_request", last_message=last_message)
            return int(escalation.id)

    def user_id(self, name: str) -> int:
        from bot.console import users
        from bot.db.engine import session_scope

        with session_scope(self.database_url) as db:
            user = users.find(db, name)
            assert user is not None
            return int(user.id)


def create_accounts(database_url: str) -> None:
    from bot.console import users
    from bot.db.engine import session_scope

    with session_scope(database_url) as db:
        for name, (role, queues) in ACCOUNTS.items():
            users.add(db, name, PASSWORD, role, queues, display_name=name.title())


@contextlib.contextmanager
def running_console(folder: Path, root: Path = ROOT, extra_env: dict[str, str] | None = None) -> Iterator[Console]:
    """The web server of the code tree `root` (a copy, for tests that change content) on a fresh database."""
    from bot.db.engine import dispose_all
    from bot.db.migrate import upgrade

    database_url = f"sqlite:///{folder / 'app.db'}"
    upgrade(database_url)
    create_accounts(database_url)
    rasa = FakeRasa(TOKEN)
    rasa.start()
    port = free_port()
    env = {**os.environ, "WEB_PORT": str(port), "DATABASE_URL": database_url, "SANIC_PROXIES_COUNT": "1",
           "PYTHONPATH": str(root), "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_URL": rasa.url,
           "RASA_AUTH_TOKEN": TOKEN, **(extra_env or {})}
    for name in ("APP_ENV", "EVENT_BUS_URL"):
        env.pop(name, None)
    log = open(folder / "web.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "bot.web"], cwd=root, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/widget/config.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "web.log").read_text()) from None
                time.sleep(0.2)
        yield Console(url, database_url, rasa)
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        dispose_all()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with running_console(tmp_path_factory.mktemp("console")) as running:
        yield running


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project for tests whose web server changes content and training data."""
    from tests.editor.project_copy import copy_project

    return copy_project(tmp_path_factory.mktemp("editor") / "project")


@pytest.fixture(scope="module")
def editor_console(project: Path) -> Iterator[Console]:
    with running_console(project.parent, project) as running:
        yield running
