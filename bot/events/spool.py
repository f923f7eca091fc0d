"""A bounded, ordered queue of event bodies in a SQLite file: what the Rasa server has not yet handed to
RabbitMQ survives an outage of RabbitMQ and a crash (even SIGKILL) of the Rasa process itself.

Every event goes through the spool, not only those published while RabbitMQ is down: a process killed a
moment after a turn would otherwise lose the events it had not yet published. Appends are gathered and
written in one transaction (`flush`, which the broker runs on the event loop's next turn and `head` runs
first), without fsync (WAL, synchronous=NORMAL): a crash of the process loses at most what was appended
since the last loop turn, a power cut may lose the last moments. When the spool is full, new events are
refused (counted and logged by the broker), so what is kept stays a contiguous, ordered prefix of the stream.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path
from typing import IO

DEFAULT_MAX_EVENTS = 200_000


class SpoolInUse(RuntimeError):
    """Another process holds this spool: two publishers would send the same events."""


class EventSpool:
    def __init__(self, path: Path, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        if max_events < 1:
            raise ValueError("the event spool must hold at least one event")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.max_events = max_events
        self.refused = 0
        self._lock: IO[bytes] = open(f"{path}.lock", "wb")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock.close()
            raise SpoolInUse(f"{path} is used by another process") from exc
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL)")
        self._count = int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])
        self._pending: list[tuple[bytes]] = []

    def __len__(self) -> int:
        return self._count

    def append(self, body: bytes) -> bool:
        """Keeps one event at the end; False (and counted) when the spool is full."""
        if self._count >= self.max_events:
            self.refused += 1
            return False
        self._pending.append((body,))
        self._count += 1
        return True

    def flush(self) -> None:
        """Writes the appended events to the file, in one transaction."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        with self._db:  # BEGIN ... COMMIT
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO events (body) VALUES (?)", pending)

    def head(self, limit: int) -> list[tuple[int, bytes]]:
        """The oldest events, in the order they were appended."""
        self.flush()
        rows = self._db.execute("SELECT seq, body FROM events ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [(int(seq), bytes(body)) for seq, body in rows]

    def remove_through(self, seq: int) -> None:
        """Forgets every event up to and including `seq` (they reached RabbitMQ)."""
        removed = self._db.execute("DELETE FROM events WHERE seq <= ?", (seq,)).rowcount
        self._count = max(0, self._count - removed)

    def close(self) -> None:
        self.flush()
        self._db.close()
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()


def spool_path(default_dir: Path) -> Path:
    """EVENT_SPOOL_PATH, set per Rasa server (one file each: a restarted server replays its predecessor's)."""
    configured = os.environ.get("EVENT_SPOOL_PATH")
    return Path(configured) if configured else default_dir / "event-spool.sqlite"


def max_events() -> int:
    return int(os.environ.get("EVENT_SPOOL_MAX_EVENTS", str(DEFAULT_MAX_EVENTS)))
