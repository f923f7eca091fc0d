"""One production topology (2 Rasa servers behind HAProxy) shared by the topology and fault tests."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from bench.deployment import Deployment
from bench.load import LoadResult, audit_requests
from bot.local_servers import MODEL, TOKEN, http
from bot.paths import ROOT

NEEDS = {"TEST_DATABASE_URL": "PostgreSQL", "TEST_REDIS_URL": "Redis", "TEST_AMQP_URL": "RabbitMQ"}
MISSING = [f"{name} ({what})" for name, what in NEEDS.items() if not os.environ.get(name)]
REQUIRES = [
    pytest.mark.skipif(bool(MISSING), reason=f"not set: {', '.join(MISSING)} (CI sets them)"),
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first"),
    pytest.mark.skipif(not shutil.which("haproxy") and not Path("/usr/sbin/haproxy").exists(),
                       reason="haproxy is not installed (make run-production installs it)"),
]


@pytest.fixture(scope="session")
def deployment() -> Iterator[Deployment]:
    # logs kept in var/ (git-ignored): pytest's temporary folders are recycled by later runs
    run_dir = ROOT / "var" / "test-topology" / time.strftime("%Y%m%d-%H%M%S")
    running = Deployment(os.environ["TEST_DATABASE_URL"], os.environ["TEST_REDIS_URL"], os.environ["TEST_AMQP_URL"],
                         run_dir)
    running.start()
    yield running
    running.stop()


def say(url: str, sender: str, text: str, language: str, message_id: str | None = None) -> list[dict[str, Any]]:
    metadata = {"language": language, **({"message_id": message_id} if message_id else {})}
    status, replies = http("POST", f"{url}/webhooks/rest/webhook",
                           {"sender": sender, "message": text, "metadata": metadata}, timeout=120)
    assert status == 200, (status, replies)
    return list(replies or [])


def user_texts(url: str, sender: str) -> list[str]:
    status, tracker = http("GET", f"{url}/conversations/{sender}/tracker?token={TOKEN}", timeout=60)
    assert status == 200
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def assert_no_customer_left_behind(result: LoadResult, deployment: Deployment, name: str) -> dict[str, Any]:
    """Every message answered, forms intact, languages kept, no request lost or filed twice. The outcome
    (with samples of what went wrong) is written to <run dir>/<name>.json first."""
    summary = result.summary()
    audit = audit_requests(result, deployment.database_url)
    (deployment.run_dir / f"{name}.json").write_text(json.dumps({**summary, "requests": audit}, indent=1,
                                                                ensure_ascii=False))
    assert summary["turns"] > 0 and summary["requests_started"] > 0, summary
    assert summary["unanswered"] == 0, summary
    assert summary["form_broken"] == 0, summary
    assert summary["wrong_language_replies"] == 0, summary
    assert (audit["lost"], audit["duplicated"], audit["reference_mismatch"]) == (0, 0, 0), audit
    return {**summary, "requests": audit}
