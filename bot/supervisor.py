"""Keeps a set of processes running: a crashed child is restarted with back-off and logged. One supervisor
for both ways the project runs: `make run` (action server, Rasa, web server, model server) and
`python -m bot run --production` (several Rasa servers, HAProxy, the event consumer ...).

Each child that exits is started again after 1 s, 2 s, 4 s ... up to 30 s (the delay resets once a child
has run for a minute), and every exit and restart is logged. While the action server is down, Rasa's
channels answer with the localized technical-problem text (bot.channels); while Rasa is down, the widget
shows that it is reconnecting.

With a run directory (production), each child logs to <run dir>/<name>.log, runs in its own session (Ctrl-C
reaches the supervisor only, which stops the children in reverse order: the balancer first), and the
running processes are listed in <run dir>/pids.json for operators and the fault tests.
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Mapping, Sequence

logger = logging.getLogger(__name__)

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a child that ran this long is considered healthy again: the back-off resets


@dataclass
class Child:
    name: str  # "action server", "Rasa", "rasa1", "haproxy" ...
    command: Sequence[str]
    health_url: str | None  # None: running is healthy (the event consumer, the balancer)
    env: Mapping[str, str] = field(default_factory=dict)  # on top of the supervisor's environment
    group: str | None = None  # consecutive children of one group start together (Rasa servers load in parallel)
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0  # exits in a row without a stable run
    restart_at: float | None = None  # when a crashed child is due to start again
    restarts: int = 0


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def backoff_delay(failures: int, first: float = BACKOFF_FIRST_S, maximum: float = BACKOFF_MAX_S) -> float:
    return float(min(maximum, first * 2 ** max(0, failures - 1)))


@dataclass
class Supervisor:
    children: list[Child]
    cwd: Path
    env: Mapping[str, str]
    run_dir: Path | None = None
    clock: Callable[[], float] = time.monotonic
    backoff_first: float = BACKOFF_FIRST_S
    backoff_max: float = BACKOFF_MAX_S
    stable_after: float = STABLE_AFTER_S
    stopping: threading.Event = field(default_factory=threading.Event)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)

    def log_path(self, name: str) -> Path | None:
        return self.run_dir / f"{name}.log" if self.run_dir else None

    def start(self, child: Child) -> None:
        output = None
        path = self.log_path(child.name)
        if path is not None:
            output = self._logs.get(child.name) or open(path, "ab")
            self._logs[child.name] = output
        child.process = subprocess.Popen(list(child.command), cwd=self.cwd, env={**self.env, **child.env},
                                         stdout=output, stderr=output, start_new_session=self.run_dir is not None)
        child.started_at = self.clock()
        child.restart_at = None
        self._write_pids()

    def start_all(self) -> None:
        """Every child at once (the embedded default); `wait_healthy` then waits for them."""
        if self.run_dir:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        for child in self.children:
            self.start(child)

    def start_in_order(self, timeout_s: float) -> bool:
        """Each child (or group) once the previous is healthy; False if one is not within timeout_s."""
        if self.run_dir:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        index = 0
        while index < len(self.children):
            batch = [self.children[index]]
            while (batch[0].group and index + len(batch) < len(self.children)
                   and self.children[index + len(batch)].group == batch[0].group):
                batch.append(self.children[index + len(batch)])
            for child in batch:
                self.start(child)
            deadline = self.clock() + timeout_s
            for child in batch:
                if not self._wait_one(child, deadline):
                    logger.error("%s did not become healthy%s", child.name,
                                 f"; see {self.log_path(child.name)}" if self.run_dir else "")
                    return False
            index += len(batch)
        return True

    def _wait_one(self, child: Child, deadline: float) -> bool:
        while not self.stopping.is_set():
            if child.process is None or child.process.poll() is not None or self.clock() > deadline:
                return False
            if child.health_url is None or healthy(child.health_url):
                return True
            time.sleep(0.5)
        return False

    def wait_healthy(self, deadline: float) -> bool:
        """Every child answers its health URL before the deadline (monotonic); False if one exits first."""
        return all(self._wait_one(child, deadline) for child in self.children)

    def _write_pids(self) -> None:
        if self.run_dir is None:
            return
        pids = {c.name: c.process.pid for c in self.children if c.process and c.process.poll() is None}
        (self.run_dir / "pids.json").write_text(json.dumps(pids, indent=1), encoding="utf-8")

    def check(self) -> None:
        """One round: notice exits, schedule restarts with back-off, start the children that are due."""
        now = self.clock()
        for child in self.children:
            process = child.process
            if process is not None and process.poll() is not None and child.restart_at is None:
                ran = now - child.started_at
                child.failures = 1 if ran >= self.stable_after else child.failures + 1
                delay = backoff_delay(child.failures, self.backoff_first, self.backoff_max)
                child.restart_at = now + delay
                logger.error("%s exited with code %s after %.1f s; restarting in %.1f s (exit %d in a row)",
                             child.name, process.returncode, ran, delay, child.failures)
            if child.restart_at is not None and now >= child.restart_at and not self.stopping.is_set():
                child.restarts += 1
                logger.warning("Restarting %s (restart %d)", child.name, child.restarts)
                self.start(child)

    def run(self, interval: float = 0.5) -> None:
        """Supervises until stop() is called (from a signal handler or another thread)."""
        while not self.stopping.wait(interval):
            self.check()

    def stop(self, timeout: float = 20) -> None:
        """Stops every child, the last started first (the balancer before the servers behind it)."""
        self.stopping.set()
        running = [c.process for c in reversed(self.children) if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self._logs.values():
            log.close()
        self._logs.clear()
        if self.run_dir is not None:
            (self.run_dir / "pids.json").unlink(missing_ok=True)
