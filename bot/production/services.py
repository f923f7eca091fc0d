"""What the production topology runs: each component's command line, environment and health URL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.paths import ROOT
from bot.production import haproxy
from bot.production.config import ProductionConfig, amqp_parts, redis_parts
from bot.supervisor import Child


def environment(config: ProductionConfig, base: dict[str, str] | None = None) -> dict[str, str]:
    """The variables endpoints.production.yml, credentials.production.yml and the servers read."""
    env = dict(os.environ if base is None else base)
    settings = config.base
    env.update(
        APP_ENV="production",
        ACTION_PORT=str(settings.action_port), WEB_PORT=str(settings.web_port),
        RASA_AUTH_TOKEN=settings.rasa_auth_token, ACTION_SERVER_TOKEN=settings.action_server_token,
        ACTION_SERVER_URL=config.action_server_url, BIND_ADDRESS=config.bind_address,
        DATABASE_URL=settings.database_url, TRACKER_STORE_URL=settings.tracker_store_url,
        REDIS_URL=config.redis_url, AMQP_URL=config.amqp_url, EVENTS_QUEUE=config.events_queue,
        EVENTS_EXCHANGE=config.events_exchange,
        PUBLIC_RASA_URL=config.public_rasa_url, ACTION_WORKERS=str(config.action_workers),
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # A conversation's lock held by a crashed server expires after this (Rasa's default: 60 s), longer
        # than any turn (the action timeout is 10 s); the conversation then continues on another server.
        TICKET_LOCK_LIFETIME=env.get("TICKET_LOCK_LIFETIME", "20"),
        RASA_TELEMETRY_ENABLED="false",  # nothing leaves the machine
    )
    # Rasa's peer is the balancer: only its X-Forwarded-For names the client (per-address rate limits)
    env.setdefault("TRUSTED_PROXIES", config.bind_address if config.bind_address not in ("0.0.0.0", "::")
                   else "127.0.0.1,::1")
    env.update(redis_parts(config.redis_url))
    env.update(amqp_parts(config.amqp_url))
    return env


def rasa_arguments(config: ProductionConfig, port: int, model: str | None,
                   endpoints: str = "endpoints.production.yml") -> list[str]:
    """`python -m bot.rasa_entry run ...` (Rasa's command line) without the interpreter; no --model: the
    endpoints' model server."""
    return [
        "-m", "bot.rasa_entry", "run", *(["--model", model] if model else []),
        "--endpoints", endpoints, "--credentials", "credentials.production.yml",
        "--interface", config.bind_address, "--port", str(port),
        "--enable-api", "--auth-token", config.base.rasa_auth_token,
        "--cors", *config.cors_origins,
    ]


def rasa_service(config: ProductionConfig, index: int, model: str, run_dir: Path) -> Child:
    port = config.rasa_ports[index]
    command = [sys.executable, *rasa_arguments(config, port, model)]
    name = f"rasa{index + 1}"
    # one event spool per server, the same across its restarts: a restarted server publishes what its
    # predecessor could not (bot/events/spool.py)
    spool = {"EVENT_SPOOL_PATH": str(run_dir / "event-spool" / f"{name}.sqlite")}
    return Child(name, command, f"http://{config.bind_address}:{port}/", env=spool, group="rasa")


def services(config: ProductionConfig, model: str, run_dir: Path) -> list[Child]:
    """In start order: what Rasa needs first, the Rasa servers together, the balancer last."""
    bind = config.bind_address
    serve = [sys.executable, "-m", "bot.production.serve"]
    listed = [
        Child("actions", [*serve, "actions"], f"http://{bind}:{config.base.action_port}/health"),
        Child("web", [*serve, "web"], f"http://{bind}:{config.base.web_port}/widget/config.json"),
        Child("events", [sys.executable, "-m", "bot", "events", "consume"], None),
    ]
    listed += [rasa_service(config, i, model, run_dir) for i in range(config.replicas)]
    config_file = haproxy.write_config(config, run_dir / "haproxy.cfg")
    listed.append(Child("haproxy", haproxy.command(config_file), None))
    return listed
