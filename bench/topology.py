"""Load and faults on the local production topology, longer than the tests' windows.

1. Throughput: the same mixed load (FAQ turns in four languages + service requests, CONVERSATIONS
   customers in parallel for DURATION_S) against the embedded default (`make run`: one Rasa server, SQLite,
   in-memory lock), the topology with one Rasa server, and with two.
2. Faults under that load on the two-server topology: a Rasa server killed (SIGKILL) and restarted by the
   supervisor, PostgreSQL restarted, Redis restarted, RabbitMQ stopped for 30 s.

Loopback only, bounded in time, every service restored in `finally`. Needs TEST_DATABASE_URL,
TEST_REDIS_URL, TEST_AMQP_URL. Run: python -m bench.topology [--quick]  (results: bench/results/topology.json)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from bench.common import write_result
from bench.deployment import Deployment
from bench.faults import (
    ensure_postgres,
    ensure_rabbitmq,
    ensure_redis,
    kill_service,
    restart_postgres,
    restart_redis,
    stop_rabbitmq,
)
from bench.load import audit_requests, run_load
from bot.local_servers import Servers
from bot.paths import ROOT, VAR_DIR


def measure(url: str, database_url: str, conversations: int, duration_s: float,
            fault: Callable[[], None] | None = None, restore: Callable[[], None] | None = None,
            fault_after_s: float = 15) -> dict[str, Any]:
    run_id = f"bench{uuid.uuid4().hex[:6]}"

    async def scenario() -> Any:
        load = asyncio.create_task(run_load(url, conversations, duration_s, run_id))
        if fault:
            await asyncio.sleep(fault_after_s)
            try:
                await asyncio.to_thread(fault)
            finally:
                if restore:
                    await asyncio.to_thread(restore)
        return await load

    result = asyncio.run(scenario())
    outcome = {**result.summary(), "requests": audit_requests(result, database_url), "run_id": run_id}
    print(f"  {outcome['turns_per_s']} turns/s, p50 {outcome['latency']['p50_ms']} ms, "
          f"p95 {outcome['latency']['p95_ms']} ms, unanswered {outcome['unanswered']}, requests {outcome['requests']}")
    return outcome


def embedded(conversations: int, duration_s: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        servers = Servers(tracker_store_url=f"sqlite:///{folder}/tracker.db", logs=Path(folder))
        servers.start()
        try:
            return measure(servers.rasa, servers.settings.database_url, conversations, duration_s)
        finally:
            servers.stop()


def topology(replicas: int, conversations: int, duration_s: float, faults: bool) -> dict[str, Any]:
    deployment = Deployment(os.environ["TEST_DATABASE_URL"], os.environ["TEST_REDIS_URL"],
                            os.environ["TEST_AMQP_URL"], VAR_DIR / "bench-topology" / f"r{replicas}-{int(time.time())}",
                            replicas=replicas)
    start = time.monotonic()
    deployment.start()
    results: dict[str, Any] = {"start_s": round(time.monotonic() - start, 1)}
    try:
        print(f"{replicas} Rasa server(s): steady load")
        results["steady"] = measure(deployment.url, deployment.database_url, conversations, duration_s)
        results["served_by"] = deployment.served()
        if faults:
            def kill() -> None:
                kill_service(deployment.run_dir, "rasa1")

            def rabbitmq_outage() -> None:
                stop_rabbitmq()
                time.sleep(30)

            scenarios: dict[str, tuple[Callable[[], None], Callable[[], None] | None]] = {
                "rasa_killed": (kill, None),
                "postgresql_restart": (restart_postgres, ensure_postgres),
                "redis_restart": (restart_redis, ensure_redis),
                "rabbitmq_stopped_30s": (rabbitmq_outage, ensure_rabbitmq),
            }
            for name, (fault, restore) in scenarios.items():
                print(f"fault: {name}")
                results[name] = measure(deployment.url, deployment.database_url, conversations,
                                        max(duration_s, 60), fault, restore)
                results[name]["recovered_in_s"] = round(deployment.wait_all_up(), 1)
                stored, counted = deployment.wait_for_events(results[name]["run_id"])
                results[name]["events"] = {"customer_messages_stored": stored, "in_analytics": counted}
    finally:
        deployment.stop()
    return results


START, END = "<!-- topology:start -->", "<!-- topology:end -->"


def _row(name: str, r: dict[str, Any]) -> str:
    req = r["requests"]
    return (f"| {name} | {r['turns_per_s']} | {r['latency']['p50_ms']:.0f} | {r['latency']['p95_ms']:.0f} | "
            f"{r['unanswered']} | {r['technical_problem_replies']} | {r['form_broken']} | "
            f"{req['filed_and_confirmed']} | {req['lost']} | {req['duplicated']} |")


def render(results: dict[str, Any]) -> str:
    lines = [f"`python -m bench.topology` on {results['machine']}, {results['conversations']} concurrent "
             f"customers (FAQ turns in de/ro/nl/es, a quarter filing service requests), "
             f"{results['duration_s']:.0f} s per run (faults: at least 60 s, fault after 15 s). "
             f"Load average at start {results['load_average_at_start'][0]:.1f}: other work shared the 2 cores.", "",
             "| run | turns/s | p50 ms | p95 ms | unanswered | technical answers (resent) | forms broken "
             "| requests filed | lost | filed twice |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
             _row("embedded default (`make run`, 1 server, SQLite)", results["embedded_default"]),
             _row("topology, 1 Rasa server", results["topology_1_server"]["steady"]),
             _row("topology, 2 Rasa servers", results["topology_2_servers"]["steady"])]
    labels = {"rasa_killed": "2 servers, one Rasa killed (SIGKILL) and restarted",
              "postgresql_restart": "2 servers, PostgreSQL restarted", "redis_restart": "2 servers, Redis restarted",
              "rabbitmq_stopped_30s": "2 servers, RabbitMQ stopped 30 s"}
    for key, label in labels.items():
        if key in results["topology_2_servers"]:
            lines.append(_row(label, results["topology_2_servers"][key]))
    events = {k: v["events"] for k, v in results["topology_2_servers"].items() if isinstance(v, dict) and "events" in v}
    lines += ["", f"Two servers / one server throughput: **{results['two_vs_one_throughput']}×**.",
              "Customer messages stored / counted by the event consumer after each fault: "
              + ", ".join(f"{labels[k].split(', ', 1)[1]} {v['customer_messages_stored']}/{v['in_analytics']}"
                          for k, v in events.items()) + "."]
    return "\n".join(lines)


def update_readme(results: dict[str, Any]) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(f"{before}{START}\n{render(results)}\n{END}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=32)
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--quick", action="store_true", help="shorter windows, no faults")
    args = parser.parse_args()
    duration = 45 if args.quick else args.duration
    results: dict[str, Any] = {"conversations": args.conversations, "duration_s": duration,
                               "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()}
    print("embedded default (make run)")
    results["embedded_default"] = embedded(args.conversations, duration)
    results["topology_1_server"] = topology(1, args.conversations, duration, faults=False)
    results["topology_2_servers"] = topology(2, args.conversations, duration, faults=not args.quick)
    one, two = results["topology_1_server"]["steady"], results["topology_2_servers"]["steady"]
    results["two_vs_one_throughput"] = round(two["turns_per_s"] / one["turns_per_s"], 2) if one["turns_per_s"] else None
    results["load_average_at_end"] = os.getloadavg()
    path = write_result("topology", results)
    update_readme(json.loads(path.read_text(encoding="utf-8")))
    print(f"written to {path} and README.md")


if __name__ == "__main__":
    main()
