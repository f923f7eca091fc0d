"""A plain `rasa init` assistant (Rasa's own mood bot, default pipeline and policies, REST channel only) on the
same machine in the same run: what a minimal Rasa 3.6 server does here, so the project's figures can be read
against the machine rather than against a number from another day.

`rasa init --no-prompt` copies the template from the installed Rasa package and trains it (nothing is
downloaded). The reference is measured exactly like the project in bench/server.py: unloaded REST turns,
then `concurrency` conversations for `duration` seconds.

Run: python -m bench.reference [--folder DIR] (bench.server --reference uses it side by side)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import summary_ms, write_result
from bench.server import load
from bot.local_servers import free_port, http

# The mood bot's own kinds of message (its data/nlu.yml), typed as a user would.
MESSAGES = ["hello there", "I am feeling sad today", "yes, that helped", "no, not really", "good evening",
            "I'm great, thanks", "are you a bot?", "bye for now", "very unhappy", "perfect"]
START_TIMEOUT_S = 600


def prepared(folder: Path) -> Path:
    """The trained model of a `rasa init` project in folder, creating and training it when missing."""
    models = sorted((folder / "models").glob("*.tar.gz")) if (folder / "models").exists() else []
    if not models:
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(folder)],
                       cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        models = sorted((folder / "models").glob("*.tar.gz"))
    return models[-1]


def answers(url: str) -> bool:
    try:
        return http("GET", url, timeout=2)[0] == 200
    except OSError:
        return False


def measure(folder: Path, concurrency: int, duration: float) -> dict[str, Any]:
    model = prepared(folder)
    port = free_port()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port),
                                    "--interface", "127.0.0.1"], cwd=folder, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not answers(f"http://127.0.0.1:{port}/"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the rasa init reference server exited or did not start")
                time.sleep(0.5)
            ready = time.perf_counter() - start
            url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            turns = []
            for i in range(120):
                t0 = time.perf_counter()
                http("POST", url, {"sender": f"ref-unloaded-{i // 5}", "message": MESSAGES[i % len(MESSAGES)]})
                turns.append(time.perf_counter() - t0)
            return {"code": "rasa init (mood bot)", "model": model.name, "start_s": {"rasa": round(ready, 1)},
                    "rest_turn": summary_ms(turns), "faq_load": load(url, MESSAGES, concurrency, duration, prefix="ref")}
        finally:
            process.terminate()
            process.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "rasa-init-reference")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0)
    args = parser.parse_args(argv)
    result = measure(args.folder, args.concurrency, args.duration)
    print(result)
    print(f"written to {write_result('reference', result)}")


if __name__ == "__main__":
    main()
