"""Typed conversations over REST (tests/data/typed_conversations/<lang>.yml): every answer typed, with a
question in the middle of a form, a correction and a typo each; offers accepted by typing; follow-ups.

Measures per language: task completion rate, turns per completed task, slots that held a question or
another intent's text, replies with another country's facts. Run: python -m bench.typed_conversations
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.common import write_result
from bot import SUPPORTED_LANGUAGES
from bot.local_servers import Servers
from tests.typed_runner import Outcome, load, play


def score(outcomes: list[Outcome]) -> dict[str, Any]:
    completed = [o for o in outcomes if o.completed]
    return {
        "conversations": len(outcomes),
        "completed_pct": round(100 * len(completed) / len(outcomes), 1) if outcomes else 0.0,
        "turns_per_completed_task": round(statistics.fmean(o.turns for o in completed), 2) if completed else None,
        "slots_holding_a_question": sum(len(o.polluted_slots) for o in outcomes),
        "replies_with_wrong_country_facts": sum(len(o.wrong_country) for o in outcomes),
    }


def main() -> None:
    results: dict[str, Any] = {}
    failures: dict[str, list[dict[str, Any]]] = {}
    everything: list[Outcome] = []
    with tempfile.TemporaryDirectory() as folder:
        servers = Servers(tracker_store_url=f"sqlite:///{folder}/tracker.db", logs=Path(folder))
        servers.start(timeout=900)  # a busy machine loads the model slowly
        try:
            for language in SUPPORTED_LANGUAGES:
                outcomes = [play(servers, language, c) for c in load(language)]
                everything += outcomes
                results[language] = score(outcomes)
                failures[language] = [
                    {"name": o.name, "failures": o.failures, "polluted_slots": o.polluted_slots,
                     "wrong_country": o.wrong_country} for o in outcomes if not o.completed]
        finally:
            servers.stop()
    results["all"] = score(everything)
    path = write_result("typed_conversations", {**results, "not_completed": failures})
    print("| language | conversations | completed | turns per completed task | slots holding a question | "
          "wrong-country facts |")
    print("| --- | --- | --- | --- | --- | --- |")
    for language, row in results.items():
        print(f"| {language} | {row['conversations']} | {row['completed_pct']}% | {row['turns_per_completed_task']} | "
              f"{row['slots_holding_a_question']} | {row['replies_with_wrong_country_facts']} |")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
