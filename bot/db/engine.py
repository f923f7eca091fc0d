"""Engines and sessions, created on demand per database URL (never at import time)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.paths import VAR_DIR

_engines: dict[str, Engine] = {}
CHECKPOINT_ATTEMPTS = 5
_lock = threading.Lock()


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'app.db'}"


def get_engine(url: str | None = None) -> Engine:
    """One engine (connection pool) per URL and process."""
    url = url or database_url()
    with _lock:
        if url not in _engines:
            parsed = make_url(url)
            kwargs: dict = {"future": True}
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                    # SQLAlchemy 1.4 opens a new SQLite connection (and runs the pragmas) for every session of a
                    # file database; a turn has several, so keep a few open (measured: bench/results/server.json).
                    kwargs.update(poolclass=QueuePool, pool_size=5, max_overflow=10)
                kwargs["connect_args"] = {"timeout": 15, "check_same_thread": False}
            else:
                # Pre-ping: after a database restart a pooled connection fails once instead of one turn each.
                kwargs.update(pool_size=5, max_overflow=10, pool_pre_ping=True, connect_args={"connect_timeout": 5})
            engine = create_engine(url, **kwargs)
            if parsed.get_backend_name() == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            _engines[url] = engine
        return _engines[url]


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    # With WAL a commit survives a crash of the process; only an OS crash can lose the last commits (an fsync per
    # checkpoint instead of per commit, which cost every turn of the tracker store a disk flush).
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Erased personal data is overwritten, not left in free pages of the file (GDPR erasure, bot/privacy).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


@contextlib.contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on any exception."""
    session = sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def checkpoint_sqlite() -> None:
    """Writes every SQLite database's write-ahead log into its file and empties the log, so that rows just
    erased or anonymised do not live on in the log (bot/privacy runs it after erase and purge)."""
    with _lock:
        engines = [e for e in _engines.values() if e.url.get_backend_name() == "sqlite"]
    for engine in engines:
        for attempt in range(CHECKPOINT_ATTEMPTS):
            with engine.connect() as connection:
                busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            if busy is None or not busy[0]:
                break
            time.sleep(0.2 * 2 ** attempt)  # another process writes: the checkpoint could not finish
        else:
            raise RuntimeError(f"{engine.url.database}: the write-ahead log could not be emptied while other "
                               "processes wrote; the data is erased from the tables, run the command again")


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
