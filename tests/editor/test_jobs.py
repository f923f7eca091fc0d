"""Editor jobs: one at a time (the database refuses a second running row, SQLite and PostgreSQL), each
ends as succeeded or failed whatever its work does, with its output kept and every step audited."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from bot.db.engine import session_scope
from bot.editor import jobs
from bot.editor.tables import audit


def wait_finished(job_id: int) -> dict[str, Any]:
    for _ in range(200):
        job = jobs.get(job_id)
        if job and job["status"] != "running":
            return job
        time.sleep(0.05)
    raise TimeoutError(job_id)


def test_one_job_at_a_time(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "JOBS_DIR", tmp_path / "jobs")
    release = threading.Event()

    def slow(job_id: int, say: Callable[[str], None]) -> tuple[bool, str, dict[str, Any]]:
        say("step one")
        release.wait(10)
        return True, "done", {"model": "assistant-x.tar.gz"}

    first = jobs.start("train", "editor:erika", slow)
    assert first is not None
    assert jobs.start("train", "editor:root", slow) is None
    assert jobs.start("rollback", "editor:root", slow) is None
    assert jobs.running()["id"] == first
    release.set()
    finished = wait_finished(first)
    assert finished["status"] == "succeeded" and finished["active"] is None and finished["model"] == "assistant-x.tar.gz"
    assert "step one" in jobs.log_tail(first)

    def broken(job_id: int, say: Callable[[str], None]) -> tuple[bool, str, dict[str, Any]]:
        raise RuntimeError("disk full")

    second = jobs.start("publish", "editor:root", broken)
    assert second is not None
    failed = wait_finished(second)
    assert failed["status"] == "failed" and failed["message"] == "RuntimeError: disk full"
    with session_scope(db_url) as db:
        rows = [(r.actor, r.action) for r in db.execute(sa.select(audit).order_by(audit.c.id))]
    assert rows == [("editor:erika", "train_started"), ("editor:erika", "train_succeeded"),
                    ("editor:root", "publish_started"), ("editor:root", "publish_failed")]
