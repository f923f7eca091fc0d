"""Faults of the services under load (short windows; bench/topology.py runs them longer): PostgreSQL
restarted, Redis restarted, RabbitMQ stopped for 30 s. For each: every customer message answered (the
technical-problem answer counts, and the customer's resend must then work), forms and languages intact,
no request lost or filed twice; for RabbitMQ, every customer message's event delivered to the analytics once
RabbitMQ is back (the Rasa servers spool them meanwhile). Every service is restored in `finally`.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Callable

from bench.deployment import Deployment
from bench.faults import ensure_postgres, ensure_rabbitmq, ensure_redis, restart_postgres, restart_redis, stop_rabbitmq
from bench.load import LoadResult, run_load
from tests.production.conftest import REQUIRES, assert_no_customer_left_behind

pytestmark = REQUIRES
CONVERSATIONS = 8


def load_with_fault(deployment: Deployment, fault: Callable[[], None], restore: Callable[[], None],
                    duration_s: float, fault_after_s: float = 8) -> tuple[str, LoadResult]:
    run_id = f"fault{uuid.uuid4().hex[:6]}"

    async def scenario() -> LoadResult:
        load = asyncio.create_task(run_load(deployment.url, CONVERSATIONS, duration_s, run_id))
        await asyncio.sleep(fault_after_s)
        try:
            await asyncio.to_thread(fault)
        finally:
            await asyncio.to_thread(restore)
        return await load

    return run_id, asyncio.run(scenario())


def record(deployment: Deployment, name: str, outcome: dict) -> None:
    (deployment.run_dir / f"{name}.json").write_text(json.dumps(outcome, indent=1))


def test_postgresql_restart_under_load(deployment: Deployment) -> None:
    _, result = load_with_fault(deployment, restart_postgres, ensure_postgres, duration_s=30)
    assert_no_customer_left_behind(result, deployment, "postgresql_restart")


def test_redis_restart_under_load(deployment: Deployment) -> None:
    _, result = load_with_fault(deployment, restart_redis, ensure_redis, duration_s=30)
    assert_no_customer_left_behind(result, deployment, "redis_restart")


def test_rabbitmq_stopped_for_30_s_under_load_loses_no_event(deployment: Deployment) -> None:
    def outage() -> None:
        stop_rabbitmq()
        time.sleep(30)

    run_id, result = load_with_fault(deployment, outage, ensure_rabbitmq, duration_s=45, fault_after_s=5)
    outcome = assert_no_customer_left_behind(result, deployment, "rabbitmq_outage")
    started = time.monotonic()
    stored, counted = deployment.wait_for_events(run_id, timeout_s=300)  # the consumer catches up once RabbitMQ is back
    record(deployment, "rabbitmq_outage", {**outcome, "user_events_in_tracker": stored, "in_analytics": counted,
                                           "catch_up_s": round(time.monotonic() - started, 1)})
    assert stored > 0 and counted == stored, (stored, counted)
