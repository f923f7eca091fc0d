"""Starts `python -m bot run --production --replicas N` on free loopback ports, in a PostgreSQL schema and
RabbitMQ queue of its own, and removes them afterwards: for the topology tests and benchmarks."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bot.local_servers import ACTION_TOKEN, MODEL, TOKEN, free_port
from bot.paths import ROOT


@dataclass
class Deployment:
    base_database_url: str  # e.g. TEST_DATABASE_URL
    redis_url: str
    amqp_url: str
    run_dir: Path
    replicas: int = 2
    schema: str = field(default_factory=lambda: f"topo_{uuid.uuid4().hex[:10]}")
    process: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        separator = "&" if "?" in self.base_database_url else "?"
        self.database_url = f"{self.base_database_url}{separator}options=-csearch_path%3D{self.schema}"
        ports = {name: str(free_port()) for name in ("PUBLIC_PORT", "ACTION_PORT", "WEB_PORT", "LB_STATS_PORT")}
        base = free_port()
        self.rasa_ports = [base + i for i in range(self.replicas)]
        self.env = {**os.environ, **ports, "RASA_BASE_PORT": str(base), "RASA_AUTH_TOKEN": TOKEN,
                    "ACTION_SERVER_TOKEN": ACTION_TOKEN, "REQUEST_KEY_SECRET": "test-request-key-0123456789abcdef",
                    "DATABASE_URL": self.database_url,
                    "TRACKER_STORE_URL": self.database_url, "REDIS_URL": self.redis_url, "AMQP_URL": self.amqp_url,
                    "EVENTS_QUEUE": f"{self.schema}_events", "EVENTS_EXCHANGE": f"{self.schema}-exchange",
                    "PRODUCTION_RUN_DIR": str(self.run_dir), "RASA_MODEL": str(MODEL), "LOG_LEVEL": "WARNING"}
        # The load comes from one address at hundreds of messages a minute: the channels' rate limits
        # (bot.rate_limit) stay out of the way, as in bot.local_servers.
        self.env.setdefault("RATE_LIMIT_CLIENT", "1000000/60")
        self.env.setdefault("RATE_LIMIT_CONVERSATION", "10000/60")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['PUBLIC_PORT']}"

    def rasa_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[index]}"

    @property
    def stats_url(self) -> str:
        return f"http://127.0.0.1:{self.env['LB_STATS_PORT']}/;csv"

    def start(self, timeout_s: float = 900) -> None:
        engine = sa.create_engine(self.base_database_url, future=True)
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {self.schema}"))
        engine.dispose()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.run_dir / "supervisor.log", "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--production", "--replicas",
                                         str(self.replicas)], cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout_s
        while not self.all_up():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the topology did not start; see {self.run_dir}")
            time.sleep(2)

    def _servers(self) -> list[dict[str, str]]:
        """The balancer's rows for the Rasa servers of the REST backend (status, sessions served)."""
        with urllib.request.urlopen(self.stats_url, timeout=5) as response:
            text = response.read().decode().lstrip("# ")
        return [row for row in csv.DictReader(io.StringIO(text))
                if row["pxname"] == "rasa_rest" and row["svname"].startswith("rasa")]

    def server_states(self) -> dict[str, str]:
        try:
            return {row["svname"]: row["status"] for row in self._servers()}
        except OSError:
            return {}

    def served(self) -> dict[str, int]:
        return {row["svname"]: int(row["stot"]) for row in self._servers()}

    def all_up(self) -> bool:
        states = self.server_states()
        return len(states) == self.replicas and all(s == "UP" for s in states.values())

    def wait_all_up(self, timeout_s: float = 600) -> float:
        start = time.monotonic()
        while not self.all_up():
            if time.monotonic() - start > timeout_s:
                raise TimeoutError("a Rasa server did not come back")
            time.sleep(1)
        return time.monotonic() - start

    def user_event_counts(self, prefix: str) -> tuple[int, int]:
        """Customer messages of conversations `prefix`-* in the tracker store, and in the analytics that the
        event consumer built from RabbitMQ: equal once the consumer has caught up, if no event was lost."""
        engine = sa.create_engine(self.database_url, future=True)
        try:
            with engine.connect() as connection:
                pattern = {"p": f"{prefix}-%"}
                stored = connection.execute(sa.text(
                    "SELECT count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE :p"), pattern).scalar_one()
                counted = connection.execute(sa.text(
                    "SELECT count(*) FROM analytics_messages WHERE conversation_id LIKE :p"), pattern).scalar_one()
        finally:
            engine.dispose()
        return int(stored), int(counted)

    def wait_for_events(self, prefix: str, timeout_s: float = 120) -> tuple[int, int]:
        deadline = time.monotonic() + timeout_s
        stored, counted = self.user_event_counts(prefix)
        while counted < stored and time.monotonic() < deadline:
            time.sleep(2)
            stored, counted = self.user_event_counts(prefix)
        return stored, counted

    def pids(self) -> dict[str, int]:
        return {k: int(v) for k, v in json.loads((self.run_dir / "pids.json").read_text()).items()}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        engine = sa.create_engine(self.base_database_url, future=True)
        try:
            with engine.begin() as connection:
                connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
        finally:
            engine.dispose()
        asyncio.run(self._delete_broker_objects())

    async def _delete_broker_objects(self) -> None:
        import aio_pika

        try:
            connection = await aio_pika.connect(self.amqp_url)
        except (OSError, aio_pika.exceptions.AMQPError):
            return
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(self.env["EVENTS_QUEUE"])
            await channel.exchange_delete(self.env["EVENTS_EXCHANGE"])
