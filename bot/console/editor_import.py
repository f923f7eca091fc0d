"""Editor pages for importing an updated FAQ page: paste or upload the page, review every proposed change
(facts that differ, questions to add as training examples, new questions, topics gone), accept or reject
each, apply.

The analysis is `bot.editor.importer` (the same as `python -m bot content import`); questions are mapped by
the serving Rasa server's /model/parse, so the web process never loads a model. Nothing is kept between the
review and the apply: the apply analyses the page again under the content lock and refuses (409, a fresh
review) when the result differs from what the editor reviewed — someone changed the content or published
another model meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from pathlib import Path
from typing import Sequence

import aiohttp
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.auth import require_role
from bot.console.editor_content import EDITORS, actor
from bot.console.views import page
from bot.db.engine import session_scope
from bot.editor import audit, content_edit
from bot.editor.importer import ImportReport, analyse
from bot.editor.page import parse as parse_page
from bot.handoff.rasa_api import RasaApi
from bot.lifecycle.parsing import Prediction, label_of
from bot.locales import load_locales

logger = logging.getLogger(__name__)
MAX_PAGE_CHARS = 40_000  # a support FAQ page is 2-6 KB; the web server refuses bodies over 64 KB anyway


async def classify_with_rasa(texts: Sequence[str]) -> tuple[list[Prediction] | None, str | None]:
    """The serving model's label for each question, and the serving model's name; (None, None) when Rasa
    cannot be reached (the review then shows facts only, with a warning)."""
    try:
        api = RasaApi.from_env()
        predictions = [Prediction(text, *label_of(await api.parse(text)), None) for text in texts]
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, RuntimeError) as error:
        logger.warning("import: cannot classify the page's questions: %s", error)
        return None, None
    try:
        model = Path(str((await api.status()).get("model_file") or "")).name
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, RuntimeError):
        model = ""
    return predictions, model or "serving model"


def digest(report: ImportReport) -> str:
    """What the editor reviewed: the proposed changes with their ids (not the confidences, which move)."""
    facts = [(c.id, c.key, c.old, c.new, c.new_value is not None) for c in report.facts.changes]
    questions = [(q.id, q.text, q.label if not q.is_new else None, q.add) for q in report.questions]
    body = json.dumps([report.locale, facts, questions, report.topics_gone], ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


async def review(code: str, text: str) -> ImportReport:
    questions = [entry.question for entry in parse_page(text).entries]
    predictions, model = await classify_with_rasa(questions) if questions else (None, None)
    by_text = {p.text: p for p in predictions or []}

    def classify(texts: Sequence[str]) -> list[Prediction]:
        return [by_text[t] for t in texts]

    report = analyse(text, code, classify if predictions is not None else None, Path(model) if model else None)
    report.warnings = ["rasa_down"] if predictions is None and questions else []  # keys of editor.import.*
    if not questions:
        report.warnings.append("no_questions")
    return report


def _form(request: Request, name: str) -> str:
    return str((request.form or {}).get(name) or "")


def _page_text(request: Request) -> tuple[str, str | None]:
    """The page from the upload or the text field; (text, error key)."""
    upload = (request.files or {}).get("page_file")
    raw = upload.body if upload is not None and upload.body else _form(request, "page_text").encode("utf-8")
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return "", "not_utf8"
    if not text.strip():
        return "", "empty"
    if len(text) > MAX_PAGE_CHARS:
        return "", "too_long"
    return text, None


def register(bp: Blueprint) -> None:
    @bp.get("/import")
    @require_role(*EDITORS)
    async def import_form(request: Request) -> HTTPResponse:
        return page(request, "console/editor_import.html", locales=list(load_locales()),
                    locale=request.args.get("locale", ""), text="", error=None, max_chars=MAX_PAGE_CHARS)

    @bp.post("/import")
    @require_role(*EDITORS)
    async def import_review(request: Request) -> HTTPResponse:
        code = _form(request, "locale")
        text, error = _page_text(request)
        if code not in load_locales():
            error = error or "locale"
        if error:
            return page(request, "console/editor_import.html", status=422, locales=list(load_locales()),
                        locale=code, text=_form(request, "page_text")[:MAX_PAGE_CHARS], error=error,
                        max_chars=MAX_PAGE_CHARS)
        return _review_page(request, await review(code, text), text)

    @bp.post("/import/apply")
    @require_role(*EDITORS)
    async def import_apply(request: Request) -> HTTPResponse:
        code, text = _form(request, "locale"), _form(request, "page_text").replace("\r\n", "\n")  # browsers send CRLF
        if code not in load_locales() or not text.strip() or len(text) > MAX_PAGE_CHARS:
            return page(request, "console/editor_import.html", status=422, locales=list(load_locales()),
                        locale=code, text=text[:MAX_PAGE_CHARS], error="empty" if code in load_locales() else "locale",
                        max_chars=MAX_PAGE_CHARS)
        accepted = {value.upper() for value in (request.form.getlist("accept") or [])}
        report = await review(code, text)
        name = actor(request)

        def apply_locked() -> tuple[bool, list[str], dict[str, str], list[str]]:
            from bot import content
            from bot.editor.apply import apply

            with content_edit.locked():
                fresh = analyse(text, code, (lambda texts: _same_labels(report, texts)) if report.model else None,
                                report.model)
                if digest(fresh) != _form(request, "reviewed"):
                    return False, [], {}, []
                ids = _ids(fresh)
                taken = [i for i in ids if i.upper() in accepted]
                result = apply(fresh, [i for i in ids if i not in taken])
                if not result.problems:
                    content.write_domain_responses()
                return True, result.problems, {str(p): d for p, d in result.diffs.items()}, taken

        current, problems, diffs, taken = await asyncio.get_running_loop().run_in_executor(None, apply_locked)
        if not current:
            return _review_page(request, report, text, 409, stale=True)
        if problems:
            return _review_page(request, report, text, 422, problems=problems)
        with session_scope() as db:
            audit.record(db, name, "import_page", code, "page", accepted=taken,
                         rejected=sorted(i for i in _ids(report) if i not in taken))
        return page(request, "console/editor_import_done.html", locale=code, taken=taken, diffs=diffs,
                    training_changed=any("/nlu/" in path for path in diffs))


def _review_page(request: Request, report: ImportReport, text: str, status: int = 200, stale: bool = False,
                 problems: list[str] | None = None) -> HTTPResponse:
    return page(request, "console/editor_import_review.html", status=status, report=report, text=text,
                reviewed=digest(report), stale=stale, problems=problems or [])


def _ids(report: ImportReport) -> list[str]:
    return [c.id for c in report.facts.changes if c.new_value is not None and c.key] + [
        q.id for q in report.questions if q.add]


def _same_labels(report: ImportReport, texts: Sequence[str]) -> list[Prediction]:
    """The labels the review got from Rasa, for the re-analysis under the lock (no network call there)."""
    by_text = {q.text: Prediction(q.text, q.label or "nlu_fallback", q.confidence, None) for q in report.questions}
    return [by_text[t] for t in texts]
