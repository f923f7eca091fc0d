"""Editor pages for the models: start a training (one at a time), follow its progress, read the quality
report of the new model against config/quality.yml, publish it, roll back. Each runs as an editor job
(bot.editor.jobs) and is audited there."""

from __future__ import annotations

import re
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, file, redirect

from bot.console.auth import require_role
from bot.console.editor_content import EDITORS, actor
from bot.console.views import page
from bot.editor import jobs, releases
from bot.lifecycle.registry import Registry

PNG = re.compile(r"[\w.-]+\.png")


def _busy(request: Request, job: dict[str, Any] | None) -> HTTPResponse:
    return page(request, "console/editor_busy.html", status=409, job=job)


def register(bp: Blueprint) -> None:
    @bp.get("/training")
    @require_role(*EDITORS)
    async def overview(request: Request) -> HTTPResponse:
        registry = Registry()
        current = registry.current()
        previous = registry.previous()
        return page(request, "console/editor_training.html", running=jobs.running(), recent=jobs.recent(limit=15),
                    current=current, previous=previous, history=list(reversed(registry.history()))[:10])

    @bp.post("/training")
    @require_role(*EDITORS)
    async def start_training(request: Request) -> HTTPResponse:
        settings = jobs.Settings.from_env()
        job_id = jobs.start("train", actor(request), jobs.train_and_evaluate(settings))
        if job_id is None:
            return _busy(request, jobs.running())
        return redirect(f"/console/training/jobs/{job_id}", status=303)

    @bp.get("/training/jobs/<job_id:int>")
    @require_role(*EDITORS)
    async def job_page(request: Request, job_id: int) -> HTTPResponse:
        job = jobs.get(job_id)
        if job is None:
            return page(request, "console/not_found.html", status=404)
        if job["status"] == "running":
            jobs.reap_interrupted()
            job = jobs.get(job_id) or job
        report = None
        if job["kind"] == "train" and job["status"] == "succeeded":
            report = releases.quality_report(job_id, jobs.Settings.from_env())
        return page(request, "console/editor_job.html", job=job, log=jobs.log_tail(job_id), report=report)

    @bp.get("/training/jobs/<job_id:int>/report/<name>")
    @require_role(*EDITORS)
    async def report_image(request: Request, job_id: int, name: str) -> HTTPResponse:
        path = jobs.folder(job_id) / "report" / name
        if not PNG.fullmatch(name) or not path.is_file():
            return page(request, "console/not_found.html", status=404)
        return await file(str(path), mime_type="image/png")

    @bp.post("/training/jobs/<job_id:int>/publish")
    @require_role(*EDITORS)
    async def publish(request: Request, job_id: int) -> HTTPResponse:
        trained = jobs.get(job_id)
        if trained is None or trained["kind"] != "train" or trained["status"] != "succeeded":
            return page(request, "console/not_found.html", status=404)
        settings = jobs.Settings.from_env()
        new = jobs.start("publish", actor(request), releases.publish_work(trained, settings), model=trained["model"])
        if new is None:
            return _busy(request, jobs.running())
        return redirect(f"/console/training/jobs/{new}", status=303)

    @bp.post("/rollback")
    @require_role(*EDITORS)
    async def roll_back(request: Request) -> HTTPResponse:
        new = jobs.start("rollback", actor(request), releases.rollback_work(jobs.Settings.from_env()))
        if new is None:
            return _busy(request, jobs.running())
        return redirect(f"/console/training/jobs/{new}", status=303)
