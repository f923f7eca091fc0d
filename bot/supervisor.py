"""Keeps the embedded default's processes running: a crashed child is restarted with back-off and logged.

`make run` starts the action server, Rasa and the web server. Before, the first child to exit stopped
everything. Now each one that exits is started again after 1 s, 2 s, 4 s ... up to 30 s (the delay resets
once a child has run for a minute), and every exit and restart is logged. While the action server is down,
Rasa's channels answer with the localized technical-problem text (bot.channels); while Rasa is down, the
widget shows that it is reconnecting.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

logger = logging.getLogger(__name__)

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a child that ran this long is considered healthy again: the back-off resets


@dataclass
class Child:
    name: str  # "action server", "Rasa", "web server"
    command: Sequence[str]
    health_url: str
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
    clock: Callable[[], float] = time.monotonic
    backoff_first: float = BACKOFF_FIRST_S
    backoff_max: float = BACKOFF_MAX_S
    stable_after: float = STABLE_AFTER_S
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self, child: Child) -> None:
        child.process = subprocess.Popen(list(child.command), cwd=self.cwd, env=dict(self.env))
        child.started_at = self.clock()
        child.restart_at = None

    def start_all(self) -> None:
        for child in self.children:
            self.start(child)

    def wait_healthy(self, deadline: float) -> bool:
        """Every child answers its health URL before the deadline (monotonic); False if one exits first."""
        for child in self.children:
            while not healthy(child.health_url):
                if child.process is None or child.process.poll() is not None or self.clock() > deadline:
                    return False
                time.sleep(0.5)
        return True

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

    def stop(self, timeout: float = 15) -> None:
        self.stopping.set()
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
