"""Settings of the production topology, all from the environment.

The defaults describe this machine's CI services on loopback; a real deployment sets every address, origin
and URL (no component binds to or advertises a hard-coded address).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import unquote, urlparse

from bot.settings import Settings

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/%2F"


@dataclass(frozen=True)
class ProductionConfig:
    base: Settings
    replicas: int
    bind_address: str  # where the internal servers listen (Rasa replicas, actions, web, consumer)
    public_bind_address: str  # where the load balancer listens
    public_port: int
    rasa_base_port: int  # replica i listens on rasa_base_port + i
    stats_port: int  # HAProxy's status page (health of each server), on bind_address
    public_rasa_url: str  # the balancer as customers' browsers reach it
    public_web_url: str
    cors_origins: tuple[str, ...]
    redis_url: str
    amqp_url: str
    action_workers: int
    events_queue: str
    events_exchange: str
    action_server_url: str  # as Rasa reaches the action server (a Service name in Kubernetes)

    @property
    def rasa_ports(self) -> list[int]:
        return [self.rasa_base_port + i for i in range(self.replicas)]

    @classmethod
    def from_env(cls, replicas: int | None = None, env: Mapping[str, str] | None = None) -> ProductionConfig:
        env = os.environ if env is None else env
        defaults = {"DATABASE_URL": LOCAL_POSTGRES, "TRACKER_STORE_URL": env.get("DATABASE_URL", LOCAL_POSTGRES),
                    "APP_ENV": "production"}
        base = Settings.from_env({**defaults, **env})
        bind = env.get("BIND_ADDRESS", "127.0.0.1")
        public_bind = env.get("PUBLIC_BIND_ADDRESS", bind)
        public_port = int(env.get("PUBLIC_PORT", str(base.rasa_port)))
        public_rasa_url = env.get("PUBLIC_RASA_URL", f"http://{public_bind}:{public_port}")
        public_web_url = env.get("PUBLIC_WEB_URL", f"http://{bind}:{base.web_port}")
        origins = tuple(o.strip() for o in env.get("CORS_ORIGINS", public_web_url).split(",") if o.strip())
        count = replicas if replicas is not None else int(env.get("RASA_REPLICAS", "2"))
        if count < 1:
            raise ValueError("--replicas must be at least 1")
        return cls(
            base=base, replicas=count, bind_address=bind, public_bind_address=public_bind,
            public_port=public_port, rasa_base_port=int(env.get("RASA_BASE_PORT", "5101")),
            stats_port=int(env.get("LB_STATS_PORT", "8404")), public_rasa_url=public_rasa_url,
            public_web_url=public_web_url, cors_origins=origins,
            redis_url=env.get("REDIS_URL", LOCAL_REDIS), amqp_url=env.get("AMQP_URL", LOCAL_AMQP),
            action_workers=int(env.get("ACTION_WORKERS", "2")),
            events_queue=env.get("EVENTS_QUEUE", "rasa_events"),
            events_exchange=env.get("EVENTS_EXCHANGE", "rasa-exchange"),
            action_server_url=env.get("ACTION_SERVER_URL", f"http://{bind}:{base.action_port}/webhook"),
        )


def redis_parts(url: str) -> dict[str, str]:
    """Rasa's Redis lock store takes host, port, db and password separately."""
    parsed = urlparse(url)
    return {"REDIS_HOST": parsed.hostname or "localhost", "REDIS_PORT": str(parsed.port or 6379),
            "REDIS_DB": (parsed.path or "/0").lstrip("/") or "0", "REDIS_PASSWORD": unquote(parsed.password or "")}


def amqp_parts(url: str) -> dict[str, str]:
    """Rasa's pika broker takes host, port, credentials and the virtual host separately."""
    parsed = urlparse(url)
    return {"AMQP_HOST": parsed.hostname or "localhost", "AMQP_PORT": str(parsed.port or 5672),
            "AMQP_USER": unquote(parsed.username or "guest"), "AMQP_PASSWORD": unquote(parsed.password or "guest"),
            "AMQP_VHOST": unquote((parsed.path or "/").lstrip("/")) or "/"}
