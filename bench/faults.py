"""The faults of the load tests, on this machine's services (loopback). Each returns once the service
answers again; callers restore in `finally` with the same functions."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

POSTGRES_VERSION = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else ""
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
               "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_port(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not port_open(port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on port {port}")
        time.sleep(0.2)


def restart_postgres() -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", POSTGRES_VERSION, "main", "restart"], check=True)
    wait_port(5432)


def ensure_postgres() -> None:
    if not port_open(5432):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", POSTGRES_VERSION, "main", "start"], check=False)
        wait_port(5432)


def restart_redis() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False, capture_output=True)
    ensure_redis()


def ensure_redis() -> None:
    if not port_open(6379):
        subprocess.run(REDIS_START, check=True)
        wait_port(6379)


def stop_rabbitmq() -> None:
    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True)


def ensure_rabbitmq() -> None:
    subprocess.run(["rabbitmqctl", "start_app"], check=False, capture_output=True)
    wait_port(5672, timeout_s=120)


def kill_service(run_dir: Path, name: str) -> int:
    """SIGKILL (a crash, not a shutdown) of one supervised service; returns its pid."""
    pid = int(json.loads((run_dir / "pids.json").read_text())[name])
    os.kill(pid, signal.SIGKILL)
    return pid
