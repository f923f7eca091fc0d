"""Rasa's SQL tracker store configured by one SQLAlchemy URL (SQLite locally, PostgreSQL in production).

endpoints.yml: `tracker_store: {type: bot.tracker_store.UrlSQLTrackerStore, url: ${TRACKER_STORE_URL}}`.
Rasa passes the endpoint's `url` as `host`; this class uses it as the whole database URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url


class UrlSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Any = None, host: str | None = None, **kwargs: Any) -> None:
        if not host:
            raise ValueError("UrlSQLTrackerStore needs `url` (e.g. sqlite:///var/tracker.db)")
        url = make_url(host)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.pop("dialect", None)
        super().__init__(domain=domain, dialect=url.get_backend_name(), host=host, **kwargs)
        if url.get_backend_name() == "sqlite":
            # Rasa's engine opens a new SQLite connection per session and flushes the disk on every commit (a
            # turn has two to three sessions); the project's engine keeps connections open and uses WAL.
            from bot.db.engine import get_engine

            self.engine.dispose()
            self.engine: Any = get_engine(host)
            self.sessionmaker.configure(bind=self.engine)
            return
        # Rasa creates the engine without pre-ping: after a PostgreSQL restart every pooled connection would
        # fail one turn each. SQLAlchemy 1.4 keeps the flag on the pool; checking it costs one SELECT 1.
        self.engine.pool._pre_ping = True

    @staticmethod
    def get_db_url(  # type: ignore[override]
        dialect: str = "sqlite", host: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        return make_url(host)
