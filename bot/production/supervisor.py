"""Keeps the production topology running: starts each service, waits for its health URL, restarts any that
exits with exponential back-off (logged), and stops all of them on SIGTERM / Ctrl-C.

The running processes are listed in <run dir>/pids.json so operators (and the fault tests) can find them.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.paths import ROOT
from bot.production.services import Service

logger = logging.getLogger("bot.production")
MIN_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
STABLE_AFTER_S = 60.0  # a process that ran this long is considered healthy again: back-off resets


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Supervised:
    service: Service
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff_s: float = MIN_BACKOFF_S
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    run_dir: Path
    env: dict[str, str]
    items: list[Supervised] = field(default_factory=list)
    stopping: bool = False
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)

    def start_all(self, services: list[Service], timeout_s: float = 300) -> bool:
        """Starts in order, each once the previous is healthy; False if one never becomes healthy."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        rasa = [s for s in services if s.name.startswith("rasa")]
        for service in services:
            item = Supervised(service)
            self.items.append(item)
            self._spawn(item)
            if service.name.startswith("rasa") and service is not rasa[-1]:
                continue  # Rasa servers load their model in parallel
            deadline = time.monotonic() + timeout_s
            waiting = rasa if service is rasa[-1] else [service] if service.health_url else []
            for other in waiting:
                if not self._wait_healthy(other, deadline):
                    logger.error("%s did not become healthy; see %s", other.name, self._log_path(other.name))
                    return False
        return True

    def _log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def _spawn(self, item: Supervised) -> None:
        log = self._logs.get(item.service.name) or open(self._log_path(item.service.name), "ab")
        self._logs[item.service.name] = log
        env = {**self.env, **dict(item.service.env)}
        item.process = subprocess.Popen(item.service.command, cwd=ROOT, env=env, stdout=log, stderr=log,
                                        start_new_session=True)  # Ctrl-C reaches the supervisor only
        item.started_at = time.monotonic()
        item.restart_at = None
        self._write_pids()

    def _wait_healthy(self, service: Service, deadline: float) -> bool:
        item = next(i for i in self.items if i.service is service)
        while time.monotonic() < deadline and not self.stopping:
            if item.process is None or item.process.poll() is not None:
                return False
            if service.health_url is None or healthy(service.health_url):
                return True
            time.sleep(0.5)
        return False

    def _write_pids(self) -> None:
        pids = {i.service.name: i.process.pid for i in self.items if i.process and i.process.poll() is None}
        (self.run_dir / "pids.json").write_text(json.dumps(pids, indent=1), encoding="utf-8")

    def tick(self) -> None:
        """One round of supervision: schedule restarts of exited services, start those that are due."""
        now = time.monotonic()
        for item in self.items:
            process = item.process
            if item.restart_at is None and process is not None and process.poll() is not None:
                if now - item.started_at > STABLE_AFTER_S:
                    item.backoff_s = MIN_BACKOFF_S
                item.restart_at = now + item.backoff_s
                logger.warning("%s exited with code %s; restarting in %.0f s", item.service.name,
                               process.returncode, item.backoff_s)
                item.backoff_s = min(item.backoff_s * 2, MAX_BACKOFF_S)
            elif item.restart_at is not None and now >= item.restart_at:
                item.restarts += 1
                logger.warning("restarting %s (restart %d)", item.service.name, item.restarts)
                self._spawn(item)

    def run_forever(self) -> None:
        while not self.stopping:
            self.tick()
            time.sleep(0.5)

    def stop(self, *_: object) -> None:
        self.stopping = True
        for item in reversed(self.items):  # the balancer first, so no new request reaches a stopping server
            if item.process and item.process.poll() is None:
                item.process.send_signal(signal.SIGTERM)
        for item in reversed(self.items):
            if item.process:
                try:
                    item.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    item.process.kill()
        for log in self._logs.values():
            log.close()
        (self.run_dir / "pids.json").unlink(missing_ok=True)
