"""Full training time from a cold cache (nothing reused), as `make run` trains after a content change.

Run: python -m bench.training
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench.common import write_result
from bot.paths import ROOT


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": f"{folder}/cache", "RASA_TELEMETRY_ENABLED": "false",
               "PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain",
                        "--data", "data", "--out", folder, "--fixed-model-name", "bench"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - start
    path = write_result("training", {"cold_training_s": round(seconds, 1)})
    print(f"| full training, cold cache | {seconds / 60:.1f} min ({seconds:.0f} s) |\nwritten to {path}")


if __name__ == "__main__":
    main()
