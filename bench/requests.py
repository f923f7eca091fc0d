"""Turns that run a custom action with a database round-trip, and filing under concurrency.

1. REST-turn latency of the quote-lookup turn (action server + SQL query), p50/p95.
2. 16 conversations at once, each filing service requests through the whole form; filed requests per
   second, and a check that every confirmed request is in the database exactly once.
Uses SQLite by default; set DATABASE_URL and TRACKER_STORE_URL to measure PostgreSQL.
Run: python -m bench.requests
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select

from bench.common import summary_ms, write_result
from bot.db.engine import session_scope
from bot.db.models import ServiceRequest
from bot.local_servers import Servers

CONCURRENT = 16
REQUESTS_PER_CONVERSATION = 3
LOOKUPS = 60


def file_one(servers: Servers, conversation: str, n: int) -> str:
    servers.say(conversation, "Bitte erstellen Sie eine Serviceanfrage für mich", {"language": "de"})
    servers.say(conversation, '/inform{"request_type":"other"}')
    if n == 0:  # later requests of the conversation are not asked for what is already known
        for answer in ("CT-20261234", "Bench GmbH", "Erika Muster", "erika@bench.example"):
            servers.say(conversation, answer)
    servers.say(conversation, f"Benchmark request number {n} of {conversation}.")
    return " ".join(r.get("text", "") for r in servers.say(conversation, "/affirm"))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        servers = Servers(tracker_store_url=os.environ.get("TRACKER_STORE_URL", f"sqlite:///{folder}/tracker.db"),
                          logs=Path(folder), database_url=os.environ.get("DATABASE_URL", f"sqlite:///{folder}/app.db"))
        servers.start()
        try:
            lookups = []
            for _ in range(LOOKUPS):
                conversation = f"bench-q-{uuid.uuid4().hex[:8]}"
                servers.say(conversation, "Ich möchte mein Verlängerungsangebot abrufen", {"language": "de"})
                servers.say(conversation, "Q-90000001")
                start = time.perf_counter()
                replies = servers.say(conversation, "9000001")
                lookups.append(time.perf_counter() - start)
                assert "Q-90000001" in replies[0]["text"], replies

            confirmations: list[str] = []
            lock = threading.Lock()

            run = uuid.uuid4().hex[:8]  # this run's conversations only (a shared database keeps old ones)

            def conversation_worker(index: int) -> None:
                conversation = f"bench-r-{run}-{index}"
                for n in range(REQUESTS_PER_CONVERSATION):
                    text = file_one(servers, conversation, n)
                    with lock:
                        confirmations.append(text)

            start = time.perf_counter()
            threads = [threading.Thread(target=conversation_worker, args=(i,)) for i in range(CONCURRENT)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - start
            expected = CONCURRENT * REQUESTS_PER_CONVERSATION
            with session_scope(servers.settings.database_url) as session:
                stored = session.execute(select(func.count(ServiceRequest.id)).where(
                    ServiceRequest.conversation_id.like(f"bench-r-{run}-%"))).scalar()
                references = session.execute(select(func.count(func.distinct(ServiceRequest.reference))).where(
                    ServiceRequest.conversation_id.like(f"bench-r-{run}-%"))).scalar()
            reported_refs = {m for text in confirmations for m in re.findall(r"REQ-\d{4}-\d{6}", text)}
            reported = len(reported_refs)
            results = {
                "database": servers.settings.database_url.split(":")[0],
                "quote_lookup_turn": summary_ms(lookups),
                "concurrent_filing": {
                    "conversations": CONCURRENT, "requests_confirmed": expected, "seconds": round(elapsed, 1),
                    "filed_per_second": round(expected / elapsed, 2), "stored": stored,
                    "distinct_references": references, "reported_with_reference": reported,
                    # lost: told "filed" but not in the database; duplicated: one request stored twice
                    "lost": reported - stored if reported > stored else 0, "duplicated": stored - references,
                    "not_confirmed": expected - reported,
                },
            }
        finally:
            servers.stop()
    path = write_result(f"requests-{results['database']}", results)
    print(results)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
