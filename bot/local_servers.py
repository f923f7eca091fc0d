"""Starts the action server and Rasa as `make run` does, on free ports: for end-to-end tests and benchmarks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.model import model_path
from bot.paths import ROOT
from bot.runner import action_command, rasa_command, service_env, web_command
from bot.settings import Settings

TOKEN = "test-rasa-token-0123456789abcdef"
# `make test` trains first, so the model matches the data; TEST_MODEL lets a developer point elsewhere.
MODEL = Path(os.environ.get("TEST_MODEL") or model_path())
ACTION_TOKEN = "test-action-token-0123456789abcdef"
REQUEST_KEY_SECRET = "test-request-key-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: dict | None = None, headers: dict | None = None,
         timeout: float = 30) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json",
                                                                             **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            try:
                return response.status, json.loads(raw) if raw else None
            except ValueError:  # "/" answers plain text
                return response.status, raw.decode(errors="replace")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


def post_message(base: str, sender: str, text: str, timeout: float = 60) -> tuple[int | None, list, float]:
    """POST a REST message as raw bytes: (status, or None if the server closed the connection before taking
    the whole body; replies; seconds)."""
    import http.client
    from urllib.parse import urlsplit

    body = json.dumps({"sender": sender, "message": text}).encode()
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request("POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
        replies = json.loads(raw) if response.status == 200 else []
        return response.status, replies, time.monotonic() - started
    except (BrokenPipeError, ConnectionResetError):
        return None, [], time.monotonic() - started
    finally:
        connection.close()


@dataclass
class Servers:
    tracker_store_url: str
    logs: Path
    database_url: str = ""
    root: Path = ROOT  # the code tree to run (a benchmark may run an older checkout side by side)
    model: Path = MODEL
    env: dict[str, str] = field(default_factory=dict)  # on top of os.environ, at every start (and restart)
    settings: Settings = field(init=False)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        env = {"RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()), "WEB_PORT": str(free_port()),
               "RASA_AUTH_TOKEN": TOKEN,
               "ACTION_SERVER_TOKEN": ACTION_TOKEN, "REQUEST_KEY_SECRET": REQUEST_KEY_SECRET,
               "TRACKER_STORE_URL": self.tracker_store_url,
               "DATABASE_URL": self.database_url or f"sqlite:///{self.logs / 'app.db'}"}
        self.settings = Settings.from_env(env)

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    @property
    def actions(self) -> str:
        return f"http://127.0.0.1:{self.settings.action_port}"

    def start(self, which: tuple[str, ...] = ("actions", "rasa"), timeout: float = 600) -> None:
        from bot.runner import prepare_database

        if "actions" in which:
            prepare_database(self.settings)  # migrations + demo quotes, as `make run` does
        env = service_env(self.settings, {**os.environ, **self.env})
        # Tests and benchmarks send hundreds of messages a minute from 127.0.0.1: the channels' rate limits
        # (bot.rate_limit) stay out of their way unless a test sets them on purpose.
        env.setdefault("RATE_LIMIT_CLIENT", "1000000/60")
        env.setdefault("RATE_LIMIT_CONVERSATION", "10000/60")
        env.setdefault("RATE_LIMIT_QUOTE_CLIENT", "1000000/3600")
        # Sanic waits up to 15 s for open connections (a widget's socket) before a server stops; a test's
        # teardown need not.
        env.setdefault("SANIC_GRACEFUL_SHUTDOWN_TIMEOUT", "2")
        if self.root != ROOT:
            env["PYTHONPATH"] = str(self.root)
        rasa = rasa_command(self.settings, str(self.model))
        if not (self.root / "bot" / "rasa_entry.py").exists():  # an older checkout, measured side by side
            rasa = [part if part != "bot.rasa_entry" else "rasa" for part in rasa]
        commands = {"actions": action_command(), "rasa": rasa, "web": web_command()}
        health = {"actions": f"{self.actions}/health", "rasa": f"{self.rasa}/", "web": f"{self.web}/widget/config.json"}
        for name in which:
            log = open(self.logs / f"{name}.log", "ab")
            self.processes[name] = subprocess.Popen(commands[name], cwd=self.root, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        try:
            for name in which:
                self._wait_healthy(name, health[name], deadline)
        except BaseException:
            self.stop(which)  # never leave half-started servers behind
            raise

    def _wait_healthy(self, name: str, url: str, deadline: float) -> None:
        while True:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.logs / (name + '.log')}")
            try:
                if http("GET", url, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not start; see {self.logs / (name + '.log')}")
            time.sleep(0.5)

    def stop(self, which: tuple[str, ...] = ("web", "rasa", "actions")) -> None:
        for name in which:
            process = self.processes.pop(name, None)
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()

    def pid(self, which: str) -> int:
        return self.processes[which].pid

    def say(self, sender: str, message: str, metadata: dict | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        status, replies = http("POST", f"{self.rasa}/webhooks/rest/webhook", body)
        assert status == 200, (status, replies)
        return list(replies or [])
