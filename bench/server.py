"""Server start time and memory, `/model/parse` and REST-turn latency, and FAQ throughput under concurrency.

Starts the action server and Rasa exactly as `make run` does (SQLite tracker store), then
1. sends the held-out messages one at a time (unloaded latency), and
2. runs `--concurrency` conversations in parallel asking FAQ questions in the four languages for
   `--duration` seconds (turns/s, p50/p95 under load).
`--baseline DIR --baseline-model PATH` runs another checkout (e.g. a worktree of the issue's commit with its
model) at the same time, and the load phases of the two take turns (`--rounds`, median kept), so before and
after come from the same minutes of the same machine.

Run: python -m bench.server [--concurrency 16] [--duration 30] [--baseline DIR --baseline-model PATH [--rounds 5]]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import summary_ms, write_result
from bench.nlu import held_out
from bot import SUPPORTED_LANGUAGES
from bot.local_servers import MODEL, TOKEN, Servers, http
from bot.paths import ROOT

MESSAGES_PER_LANGUAGE = 60


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def faq_messages() -> list[str]:
    """FAQ questions of the held-out set, interleaved across the four languages."""
    per_language = [[text for text, intent in held_out(lang) if intent.startswith("faq")] for lang in SUPPORTED_LANGUAGES]
    mixed = []
    for i in range(max(len(m) for m in per_language)):
        mixed += [m[i] for m in per_language if i < len(m)]
    return mixed


def load(url: str, messages: list[str], concurrency: int, duration: float, prefix: str = "load") -> dict[str, Any]:
    """`concurrency` conversations of five turns each (REST channel at url), back to back, for `duration` s."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker(index: int) -> None:
        turn = index * 7
        sender = ""
        while time.monotonic() < stop_at:
            if turn % 5 == 0 or not sender:
                sender = f"{prefix}-{uuid.uuid4().hex[:8]}"
            text = messages[turn % len(messages)]
            turn += 1
            t0 = time.perf_counter()
            try:
                status, replies = http("POST", url, {"sender": sender, "message": text}, timeout=60)
                ok = status == 200 and bool(replies)
            except OSError:
                ok = False
            elapsed = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return {"concurrency": concurrency, "duration_s": round(wall, 1), "turns": len(latencies),
            "errors": errors[0], "turns_per_s": round(len(latencies) / wall, 2), **summary_ms(latencies)}


def commit_of(root: Path) -> str | None:
    """The checkout's commit (None for a folder that is not a git work tree, e.g. a `git archive`)."""
    import subprocess

    result = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


class Stack:
    """The action server and Rasa of one checkout, started as `make run` starts them (SQLite tracker store)."""

    def __init__(self, root: Path, model: Path, folder: str, start_timeout: float = 900) -> None:
        self.root, self.model = root, model
        self.servers = Servers(tracker_store_url=f"sqlite:///{folder}/tracker.db", logs=Path(folder), root=root,
                               model=model)
        start = time.perf_counter()
        self.servers.start(("actions",), timeout=start_timeout)
        self.actions_ready = time.perf_counter() - start
        start = time.perf_counter()
        self.servers.start(("rasa",), timeout=start_timeout)  # a loaded machine can take minutes
        self.rasa_ready = time.perf_counter() - start

    def unloaded(self, per_language: int) -> dict[str, Any]:
        """Start, memory, and `/model/parse` and REST-turn latency one message at a time."""
        servers = self.servers
        messages = [text for lang in SUPPORTED_LANGUAGES for text, _ in held_out(lang)[:per_language]]
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
        return {
            "code": str(self.root), "commit": commit_of(self.root), "model": self.model.name,
            "start_s": {"action_server": round(self.actions_ready, 1), "rasa": round(self.rasa_ready, 1)},
            "memory_rss_mb": {"rasa": rss_mb(servers.pid("rasa")), "action_server": rss_mb(servers.pid("actions"))},
            "model_parse": summary_ms(parse),
            "rest_turn": summary_ms(turns),
        }

    def load(self, concurrency: int, duration: float) -> dict[str, Any]:
        return load(f"{self.servers.rasa}/webhooks/rest/webhook", faq_messages(), concurrency, duration)

    def stop(self) -> None:
        self.servers.stop()


def measure(root: Path, model: Path, concurrency: int, duration: float, per_language: int = MESSAGES_PER_LANGUAGE,
            start_timeout: float = 900) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(root, model, folder, start_timeout)
        try:
            return {**stack.unloaded(per_language), "faq_load": stack.load(concurrency, duration)}
        finally:
            stack.stop()


def side_by_side(baseline: tuple[Path, Path], current: tuple[Path, Path], concurrency: int, duration: float,
                 rounds: int, per_language: int = MESSAGES_PER_LANGUAGE) -> dict[str, dict[str, Any]]:
    """Both checkouts running at once; unloaded latency of each, then `rounds` load phases taking turns
    (baseline first in odd rounds, current first in even ones), so a machine that speeds up or slows down
    during the run weighs on both alike. The load figure kept is the median round's."""
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        stacks = {"baseline": Stack(*baseline, one), "current": Stack(*current, two)}
        try:
            results = {name: stack.unloaded(per_language) for name, stack in stacks.items()}
            rounds_of: dict[str, list[dict[str, Any]]] = {name: [] for name in stacks}
            for index in range(rounds):
                order = ("baseline", "current") if index % 2 == 0 else ("current", "baseline")
                for name in order:
                    rounds_of[name].append(stacks[name].load(concurrency, duration))
            for name, phases in rounds_of.items():
                median = sorted(phases, key=lambda r: r["turns_per_s"])[len(phases) // 2]
                results[name]["faq_load"] = {**median, "rounds_turns_per_s": [r["turns_per_s"] for r in phases]}
            return results
        finally:
            for stack in stacks.values():
                stack.stop()


def print_table(name: str, results: dict[str, Any]) -> None:
    print(f"## {name} ({results['code']}, {results['model']})")
    print(f"| start (ready) | Rasa {results['start_s']['rasa']} s, action server {results['start_s']['action_server']} s |")
    print(f"| memory (RSS) | Rasa {results['memory_rss_mb']['rasa']} MB, action server "
          f"{results['memory_rss_mb']['action_server']} MB |")
    for key in ("model_parse", "rest_turn"):
        r = results[key]
        print(f"| {key} | p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms (n={r['n']}) |")
    r = results["faq_load"]
    print(f"| FAQ load, {r['concurrency']} conversations | {r['turns_per_s']} turns/s, p50 {r['p50_ms']} ms, "
          f"p95 {r['p95_ms']} ms ({r['turns']} turns, {r['errors']} errors) |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the load phase")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure first, side by side")
    parser.add_argument("--baseline-model", type=Path, help="that checkout's trained model")
    parser.add_argument("--reference", type=Path,
                        help="folder of a plain `rasa init` assistant (made and trained there when missing), measured too")
    parser.add_argument("--rounds", type=int, default=5,
                        help="with --baseline: load phases per checkout, taking turns; the median is kept")
    parser.add_argument("--messages-per-language", type=int, default=MESSAGES_PER_LANGUAGE,
                        help="held-out messages per language for the unloaded latency")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    if args.baseline:
        if not args.baseline_model:
            parser.error("--baseline needs --baseline-model")
        results.update(side_by_side((args.baseline.resolve(), args.baseline_model.resolve()), (ROOT, MODEL),
                                    args.concurrency, args.duration, args.rounds, args.messages_per_language))
    else:
        results["current"] = measure(ROOT, MODEL, args.concurrency, args.duration, args.messages_per_language)
    if args.reference:
        from bench.reference import measure as measure_reference

        results["reference"] = measure_reference(args.reference.resolve(), args.concurrency, args.duration)
    if "baseline" in results:
        before, after = results["baseline"], results["current"]
        results["change"] = {
            "faq_throughput_x": round(after["faq_load"]["turns_per_s"] / before["faq_load"]["turns_per_s"], 2),
            "rest_turn_p95_ms": [before["rest_turn"]["p95_ms"], after["rest_turn"]["p95_ms"]],
        }
        if "reference" in results:
            plain = results["reference"]["faq_load"]["turns_per_s"]
            results["change"]["turns_per_s_share_of_rasa_init"] = [
                round(before["faq_load"]["turns_per_s"] / plain, 2), round(after["faq_load"]["turns_per_s"] / plain, 2)]
    for name in ("baseline", "current"):
        if name in results:
            print_table(name, results[name])
    if "reference" in results:
        r = results["reference"]
        print(f"## rasa init reference: start {r['start_s']['rasa']} s; REST turn p50 {r['rest_turn']['p50_ms']} ms, "
              f"p95 {r['rest_turn']['p95_ms']} ms; {r['faq_load']['turns_per_s']} turns/s under load")
    if "change" in results:
        print(f"FAQ throughput x{results['change']['faq_throughput_x']}")
    # Single runs keep the README's `server` result; side-by-side runs are recorded separately.
    if args.baseline:
        print(f"written to {write_result('server_side_by_side', results)}")
    else:
        print(f"written to {write_result('server', results['current'])}")


if __name__ == "__main__":
    main()
