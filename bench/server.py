"""Server start time and memory, `/model/parse` and full REST-turn latency, over HTTP on localhost.

Starts the action server and Rasa exactly as `make run` does (SQLite tracker store), then sends the
held-out messages one at a time. Run: python -m bench.server
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from bench.common import summary_ms, write_result
from bench.nlu import held_out
from bot import SUPPORTED_LANGUAGES
from bot.local_servers import TOKEN, Servers, http

MESSAGES_PER_LANGUAGE = 60


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        servers = Servers(tracker_store_url=f"sqlite:///{folder}/tracker.db", logs=Path(folder))
        start = time.perf_counter()
        servers.start(("actions",))
        actions_ready = time.perf_counter() - start
        start = time.perf_counter()
        servers.start(("rasa",))
        rasa_ready = time.perf_counter() - start
        try:
            messages = [text for lang in SUPPORTED_LANGUAGES for text, _ in held_out(lang)[:MESSAGES_PER_LANGUAGE]]
            for text in messages[:20]:  # warm-up
                http("POST", f"{servers.rasa}/model/parse?token={TOKEN}", {"text": text})
            parse, turns = [], []
            for text in messages:
                t0 = time.perf_counter()
                status, _ = http("POST", f"{servers.rasa}/model/parse?token={TOKEN}", {"text": text})
                parse.append(time.perf_counter() - t0)
                assert status == 200
            sender = ""
            for i, text in enumerate(messages):
                if i % 5 == 0:  # conversations of five turns
                    sender = f"bench-{uuid.uuid4().hex[:8]}"
                t0 = time.perf_counter()
                servers.say(sender, text)
                turns.append(time.perf_counter() - t0)
            results = {
                "start_s": {"action_server": round(actions_ready, 1), "rasa": round(rasa_ready, 1)},
                "memory_rss_mb": {"rasa": rss_mb(servers.pid("rasa")), "action_server": rss_mb(servers.pid("actions"))},
                "model_parse": summary_ms(parse),
                "rest_turn": summary_ms(turns),
            }
        finally:
            servers.stop()
    path = write_result("server", results)
    print(f"| start (ready) | Rasa {results['start_s']['rasa']} s, action server {results['start_s']['action_server']} s |")
    print(f"| memory (RSS) | Rasa {results['memory_rss_mb']['rasa']} MB, action server "
          f"{results['memory_rss_mb']['action_server']} MB |")
    for key in ("model_parse", "rest_turn"):
        r = results[key]
        print(f"| {key} | p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms (n={r['n']}) |")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
