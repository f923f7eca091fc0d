"""The editor's background jobs: train + evaluate, publish, rollback; one at a time, each audited.

A job is a row in `editor_jobs` (its `active` column is unique, so a second start while one runs fails in
the database, whichever web server receives it) and a thread of the web server that runs the existing
commands (`python -m bot model train|evaluate` as subprocesses, bot.lifecycle.publish in process) and
writes their output to var/editor/jobs/<id>/log.txt for the status page. The thread beats every few
seconds; a running job whose beat stopped (the web server was restarted) is marked interrupted.

A training job keeps a copy of locales/ as it was when training started: the version it publishes is
that model with that content, even if editors change answers while it trains.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.db.engine import session_scope
from bot.editor import audit
from bot.editor.tables import jobs
from bot.paths import LOCALES_DIR, MODELS_DIR, ROOT, VAR_DIR

JOBS_DIR = VAR_DIR / "editor" / "jobs"
BEAT_S = 5
STALE_AFTER = timedelta(seconds=120)


@dataclass(frozen=True)
class Settings:
    train_config: Path
    quality_file: Path

    @classmethod
    def from_env(cls) -> Settings:
        from bot.lifecycle.publish import quality_file

        return cls(Path(os.environ.get("EDITOR_TRAIN_CONFIG") or ROOT / "config.yml"), quality_file())


def now() -> datetime:
    return datetime.now(timezone.utc)


def folder(job_id: int) -> Path:
    return JOBS_DIR / str(job_id)


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def reap_interrupted() -> None:
    """Running jobs whose thread stopped beating (their web server went away) end as failed."""
    with session_scope() as db:
        for row in db.execute(sa.select(jobs).where(jobs.c.active.is_(True))).mappings():
            if now() - aware(row["heartbeat_at"]) > STALE_AFTER:
                db.execute(jobs.update().where(jobs.c.id == row["id"]).values(
                    status="failed", active=None, finished_at=now(), message="interrupted: the web server stopped"))
                audit.record(db, "system", f"{row['kind']}_interrupted", subject=f"job {row['id']}")


def running() -> dict[str, Any] | None:
    reap_interrupted()
    with session_scope() as db:
        row = db.execute(sa.select(jobs).where(jobs.c.active.is_(True))).mappings().first()
        return dict(row) if row else None


def get(job_id: int) -> dict[str, Any] | None:
    with session_scope() as db:
        row = db.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return dict(row) if row else None


def recent(kind: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    query = sa.select(jobs).order_by(jobs.c.id.desc()).limit(limit)
    if kind:
        query = query.where(jobs.c.kind == kind)
    with session_scope() as db:
        return [dict(r) for r in db.execute(query).mappings()]


def log_tail(job_id: int, lines: int = 40) -> str:
    """The end of a job's output; progress bars rewrite their line with \\r, only the last state counts."""
    path = folder(job_id) / "log.txt"
    if not path.exists():
        return ""
    text = path.read_bytes()[-20000:].decode("utf-8", "replace")
    return "\n".join(line.split("\r")[-1] for line in text.splitlines()[-lines:])


def update(job_id: int, **values: Any) -> None:
    with session_scope() as db:
        db.execute(jobs.update().where(jobs.c.id == job_id).values(heartbeat_at=now(), **values))


Work = Callable[[int, Callable[[str], None]], tuple[bool, str, dict[str, Any]]]


def start(kind: str, actor: str, work: Work, **context: Any) -> int | None:
    """Starts `work(job_id, say)` in a thread; None when another job runs. `work` returns
    (succeeded, message, column values such as model or version)."""
    reap_interrupted()
    try:
        with session_scope() as db:
            job_id = int(db.execute(jobs.insert().values(
                kind=kind, status="running", active=True, started_by=actor, started_at=now(), heartbeat_at=now(),
                step="starting", **context)).inserted_primary_key[0])
            audit.record(db, actor, f"{kind}_started", subject=f"job {job_id}", **context)
    except IntegrityError:
        return None
    folder(job_id).mkdir(parents=True, exist_ok=True)
    threading.Thread(target=_run, args=(job_id, kind, actor, work), name=f"editor-job-{job_id}", daemon=True).start()
    return job_id


def _run(job_id: int, kind: str, actor: str, work: Work) -> None:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(BEAT_S):
            update(job_id)

    threading.Thread(target=beat, daemon=True).start()
    log = folder(job_id) / "log.txt"

    def say(line: str) -> None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(line.rstrip("\n") + "\n")

    try:
        ok, message, values = work(job_id, say)
    except Exception as error:  # noqa: BLE001 - the job must end as failed whatever went wrong
        ok, message, values = False, f"{type(error).__name__}: {error}", {}
        say(message)
    finally:
        stop.set()
    with session_scope() as db:
        db.execute(jobs.update().where(jobs.c.id == job_id).values(
            status="succeeded" if ok else "failed", active=None, finished_at=now(), heartbeat_at=now(),
            step="done" if ok else "failed", message=message[:4000], **values))
        audit.record(db, actor, f"{kind}_{'succeeded' if ok else 'failed'}", subject=f"job {job_id}",
                     message=message[:500], **values)


def run_command(job_id: int, step: str, command: list[str]) -> int:
    """A project command as a subprocess, its output appended to the job's log."""
    update(job_id, step=step)
    with (folder(job_id) / "log.txt").open("ab") as out:
        out.write(f"$ {' '.join(command[1:])}\n".encode())
        out.flush()
        return subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"}).returncode


def train_and_evaluate(settings: Settings) -> Work:
    """Content check and domain build, training with the configured config, evaluation on the held-out
    files against the serving version (bot.lifecycle): what `model train` and `model evaluate` do."""

    def work(job_id: int, say: Callable[[str], None]) -> tuple[bool, str, dict[str, Any]]:
        from bot import content
        from bot.editor.content_edit import locked
        from bot.lifecycle.training import target_for

        update(job_id, step="checking the content")
        with locked():
            errors = content.errors_only(content.check())
            if errors:
                return False, "content check failed: " + "; ".join(map(str, errors[:5])), {}
            content.write_domain_responses()
            shutil.copytree(LOCALES_DIR, folder(job_id) / "locales")
            target = target_for(settings.train_config, ROOT, MODELS_DIR)
        say(f"content check passed; training {target.name} with {settings.train_config.name}")
        python = sys.executable
        if run_command(job_id, "training", [python, "-m", "bot", "model", "train", "--config",
                                            str(settings.train_config)]) != 0 or not target.exists():
            return False, "training failed (see the log)", {}
        update(job_id, model=target.name)
        if run_command(job_id, "evaluating on the held-out messages", [
                python, "-m", "bot", "model", "evaluate", str(target), "--out", str(folder(job_id) / "report")]) != 0:
            return False, "evaluation failed (see the log)", {"model": target.name}
        return True, f"{target.name} trained and evaluated", {"model": target.name}

    return work
