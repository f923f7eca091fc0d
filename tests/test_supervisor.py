"""The runner's supervisor: a crashed part comes back (with back-off), and customers keep getting answers."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from bot.local_servers import MODEL, Servers, http
from bot.paths import ROOT
from bot.runner import service_env, supervised_children
from bot.supervisor import Child, Supervisor, backoff_delay, healthy


def test_backoff_doubles_up_to_the_maximum() -> None:
    assert [backoff_delay(n, 1, 30) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_crashing_child_is_restarted_with_backoff_and_logged(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    counter = tmp_path / "starts"
    script = f"open({str(counter)!r}, 'a').write('x'); raise SystemExit(3)"
    child = Child("flaky", [sys.executable, "-c", script], "http://127.0.0.1:9/")
    supervisor = Supervisor([child], cwd=tmp_path, env=dict(os.environ), backoff_first=0.2, backoff_max=0.4)
    caplog.set_level(logging.WARNING, logger="bot.supervisor")
    supervisor.start_all()
    runner = threading.Thread(target=supervisor.run, kwargs={"interval": 0.05})
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while child.restarts < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        supervisor.stop()
        runner.join()
    assert child.restarts >= 3 and child.failures >= 3
    assert counter.read_text().count("x") >= 3  # the first start and at least two restarts ran
    assert "flaky exited with code 3" in caplog.text and "Restarting flaky" in caplog.text


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[Servers, Supervisor]]:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make model` first")
    from bot.runner import prepare_database

    servers = Servers(tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}", logs=tmp_path)
    prepare_database(servers.settings)
    children = [c for c in supervised_children(servers.settings, str(MODEL)) if c.name != "web server"]
    env = {**service_env(servers.settings), "RATE_LIMIT_CONVERSATION": "1000/60"}  # many turns, one conversation
    supervisor = Supervisor(children, cwd=ROOT, env=env, backoff_first=0.5)
    supervisor.start_all()
    runner = threading.Thread(target=supervisor.run, kwargs={"interval": 0.2})
    runner.start()
    try:
        assert supervisor.wait_healthy(time.monotonic() + 240)
        yield servers, supervisor
    finally:
        supervisor.stop()
        runner.join()


def test_killed_action_server_comes_back_and_every_turn_is_answered(supervised: tuple[Servers, Supervisor]) -> None:
    servers, supervisor = supervised
    actions = next(c for c in supervisor.children if c.name == "action server")
    conversation = f"sup-{uuid.uuid4().hex[:8]}"
    assert servers.say(conversation, "Wann ist der Support erreichbar?")  # an action-server answer
    assert actions.process is not None
    os.kill(actions.process.pid, signal.SIGKILL)
    answered = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = servers.say(conversation, "Wann ist der Support erreichbar?")
        answered.append(bool(replies and replies[0].get("text")))
        if actions.restarts >= 1 and healthy(f"{servers.actions}/health"):
            break
        time.sleep(0.5)
    assert actions.restarts == 1 and all(answered), answered
    replies = servers.say(conversation, "Wann ist der Support erreichbar?")
    assert replies and "technischer Fehler" not in replies[0]["text"]
    assert http("GET", f"{servers.rasa}/")[0] == 200  # Rasa stayed up throughout


def test_ordered_start_with_groups_logs_and_pids(tmp_path: Path) -> None:
    """The production way: each step once the previous is up, a group together, a log and a pid per child."""
    def child(name: str, group: str | None = None, code: str = "time.sleep(60)") -> Child:
        script = f"import os, time; print('hello from', os.environ['CHILD_NAME'], flush=True); {code}"
        return Child(name, [sys.executable, "-c", script], None, env={"CHILD_NAME": name}, group=group)

    run_dir = tmp_path / "run"
    supervisor = Supervisor([child("db-first"), child("rasa1", "rasa"), child("rasa2", "rasa"), child("balancer")],
                            cwd=tmp_path, env=dict(os.environ), run_dir=run_dir)
    try:
        assert supervisor.start_in_order(timeout_s=30)
        pids = json.loads((run_dir / "pids.json").read_text())
        assert sorted(pids) == ["balancer", "db-first", "rasa1", "rasa2"]
        starts = [c.started_at for c in supervisor.children]
        assert starts == sorted(starts)
        deadline = time.monotonic() + 20
        while "hello from rasa2" not in (run_dir / "rasa2.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "hello from rasa2" in (run_dir / "rasa2.log").read_text()  # its own log, its own variables
    finally:
        supervisor.stop()
    assert not (run_dir / "pids.json").exists()

    failing = Supervisor([child("broken", code="raise SystemExit(2)"), child("never")], cwd=tmp_path,
                         env=dict(os.environ), run_dir=tmp_path / "run2")
    try:
        healthy_url_child = failing.children[0]
        healthy_url_child.health_url = "http://127.0.0.1:9/"  # never answers: the exit is noticed first
        assert not failing.start_in_order(timeout_s=30)
        assert failing.children[1].process is None  # what comes after a failed step is not started
    finally:
        failing.stop()
