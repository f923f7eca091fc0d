"""One huge message must not stall the server: time to answer or refuse 1 MB and 20 MB REST messages, and the
latency of a normal customer's turn sent at the same moment, against the same turn alone.

Run: python -m bench.limits
"""

from __future__ import annotations

import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import summary_ms, write_result
from bot.local_servers import Servers, post_message

QUESTION = "¿Cómo consigo una copia de un contrato?"
ROUNDS = 5


def sender() -> str:
    return f"bench-{uuid.uuid4().hex[:8]}"


def normal_turn(servers: Servers) -> float:
    started = time.monotonic()
    assert servers.say(sender(), QUESTION)
    return time.monotonic() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        servers = Servers(tracker_store_url=f"sqlite:///{folder}/tracker.db", logs=Path(folder))
        servers.start()
        try:
            for _ in range(3):
                normal_turn(servers)  # warm-up
            alone = [normal_turn(servers) for _ in range(ROUNDS)]
            during, sizes = [], {"1_mb": [], "20_mb": []}
            statuses: dict[str, set] = {"1_mb": set(), "20_mb": set()}
            for _ in range(ROUNDS):
                with ThreadPoolExecutor(2) as pool:
                    big = pool.submit(post_message, servers.rasa, sender(), "x" * 1_000_000)
                    huge = pool.submit(post_message, servers.rasa, sender(), "y" * 20_000_000)
                    during.append(normal_turn(servers))
                    for name, future in (("1_mb", big), ("20_mb", huge)):
                        status, _, seconds = future.result()
                        sizes[name].append(seconds)
                        statuses[name].add(status)
            results = {
                "normal_turn_alone": summary_ms(alone),
                "normal_turn_during_huge_messages": summary_ms(during),
                "message_1_mb": {**summary_ms(sizes["1_mb"]), "statuses": sorted(map(str, statuses["1_mb"]))},
                "message_20_mb": {**summary_ms(sizes["20_mb"]), "statuses": sorted(map(str, statuses["20_mb"]))},
                "before_the_limits": "1 MB took 10.6 s; 20 MB kept Rasa at 100% CPU for over 10 minutes",
            }
        finally:
            servers.stop()
    print(write_result("limits", results))
    print(results)


if __name__ == "__main__":
    main()
