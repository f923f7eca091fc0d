"""`make bench`: every benchmark in turn; results in bench/results/."""

from __future__ import annotations

import importlib

BENCHMARKS = ("language", "nlu", "open_set", "server", "limits", "conversations", "typed_conversations", "requests",
              "handoff", "training")


def main() -> None:
    for name in BENCHMARKS:
        print(f"\n## bench.{name}")
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main()
