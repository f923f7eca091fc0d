"""The tracker store keeps conversations in SQLite or PostgreSQL; production endpoints use Redis locks."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

ROOT = Path(__file__).resolve().parent.parent


def tracker_store_urls(tmp: Path) -> list[str]:
    urls = [f"sqlite:///{tmp / 'tracker.db'}"]
    if os.environ.get("TEST_DATABASE_URL"):
        urls.append(os.environ["TEST_DATABASE_URL"])
    return urls


def test_conversations_persist_in_the_sql_tracker_store(tmp_path: Path) -> None:
    domain = Domain.load(str(ROOT / "domain"))
    for url in tracker_store_urls(tmp_path):
        store = TrackerStore.create(EndpointConfig.from_dict(
            {"type": "bot.tracker_store.UrlSQLTrackerStore", "url": url}), domain)
        assert type(store).__name__ == "UrlSQLTrackerStore"  # not Rasa's silent in-memory fallback
        sender = f"store-{uuid.uuid4().hex[:8]}"
        tracker = DialogueStateTracker.from_events(sender, [UserUttered("Bună ziua"), SlotSet("language", "ro")],
                                                   slots=domain.slots)
        asyncio.run(store.save(tracker))
        reopened = TrackerStore.create(EndpointConfig.from_dict(
            {"type": "bot.tracker_store.UrlSQLTrackerStore", "url": url}), domain)
        restored = asyncio.run(reopened.retrieve(sender))
        assert restored is not None and restored.get_slot("language") == "ro"
        assert [e.text for e in restored.events if isinstance(e, UserUttered)] == ["Bună ziua"]


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set (CI sets it)")
def test_production_endpoints_use_the_redis_lock_store(monkeypatch: pytest.MonkeyPatch) -> None:
    redis = urlparse(os.environ["TEST_REDIS_URL"])
    for name, value in {"REDIS_HOST": redis.hostname or "127.0.0.1", "REDIS_PORT": str(redis.port or 6379),
                        "REDIS_DB": (redis.path or "/0").lstrip("/") or "0", "ACTION_SERVER_URL": "http://x",
                        "ACTION_SERVER_TOKEN": "t" * 32, "TRACKER_STORE_URL": "sqlite://", "REDIS_PASSWORD": "",
                        "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/%2F", "AMQP_PORT": "5672", "AMQP_USER": "guest",
                        "AMQP_PASSWORD": "guest", "EVENTS_QUEUE": "rasa_events",
                        "EVENTS_EXCHANGE": "rasa-exchange"}.items():
        monkeypatch.setenv(name, value)
    store = LockStore.create(read_endpoint_config(str(ROOT / "endpoints.production.yml"), "lock_store"))
    assert isinstance(store, RedisLockStore)
    conversation = f"lock-{uuid.uuid4().hex[:8]}"

    async def held_in_redis() -> bool:
        async with store.lock(conversation, wait_time_in_seconds=0.05):
            # Visible to every Rasa server sharing this Redis, so they take turns on this conversation.
            return store.get_lock(conversation) is not None

    assert asyncio.run(held_in_redis())
    assert store.get_lock(conversation) is None  # released and cleaned up
