"""Editor pages for the content: FAQ answers and facts per locale, editing one of them (with the content
check's rules and stale-page detection), and what changed against the published version.

Plain forms posted to the server (Post/Redirect/Get) with the session's CSRF token; every saved edit is
audited with the old and the new value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.console.auth import current_user, require_role
from bot.console.views import page
from bot.db.engine import session_scope
from bot.editor import audit, changes, content_edit
from bot.locales import Locale, load_locales

EDITORS = ("editor", "admin")


def actor(request: Request) -> str:
    user = current_user(request)
    assert user is not None  # require_role ran first
    return f"editor:{user.name}"


def _locale(code: str) -> Locale | None:
    return load_locales().get(code)


def _form(request: Request, name: str) -> str:
    return str((request.form or {}).get(name) or "")


def _not_found(request: Request) -> HTTPResponse:
    return page(request, "console/not_found.html", status=404)


def _edit_page(request: Request, locale: Locale, kind: str, subject: str, stored: Any, value: Any,
               status: int = 200, errors: list[str] | None = None, stale: bool = False) -> HTTPResponse:
    last = None
    if stale:
        with session_scope() as db:
            last = audit.last_change(db, locale.code, subject)
    return page(request, "console/editor_edit.html", status=status, locale=locale, kind=kind, subject=subject,
                stored=stored, value="" if value is None else value, base=content_edit.token(stored),
                errors=errors or [], stale=stale, last=last)


@dataclass(frozen=True)
class Editable:
    """What an editor can edit: FAQ answers (by response name) or facts (by dotted key)."""

    field: str  # the form field naming the subject
    value_field: str  # the form field with the new value
    items: Callable[[Locale], dict[str, Any]]
    edit: Callable[[str, str, str, str], content_edit.Outcome]
    action: str  # in the audit


KINDS = {
    "answer": Editable("name", "text", content_edit.faq_answers, content_edit.edit_answer, "edit_answer"),
    "fact": Editable("key", "value", lambda locale: content_edit.editable_facts(locale.facts), content_edit.edit_fact,
                     "edit_fact"),
}


def _register_edit(bp: Blueprint, kind: str) -> None:
    """GET shows the edit form of one answer or fact; POST saves it (stale-page check, audit, redirect)."""
    editable = KINDS[kind]

    @bp.get(f"/content/<code>/{kind}", name=f"{kind}_form")
    @require_role(*EDITORS)
    async def edit_form(request: Request, code: str) -> HTTPResponse:
        locale = _locale(code)
        subject = request.args.get(editable.field) or ""
        items = editable.items(locale) if locale else {}
        if locale is None or subject not in items:
            return _not_found(request)
        return _edit_page(request, locale, kind, subject, items[subject], items[subject])

    @bp.post(f"/content/<code>/{kind}", name=f"{kind}_save")
    @require_role(*EDITORS)
    async def save(request: Request, code: str) -> HTTPResponse:
        locale = _locale(code)
        subject, value = _form(request, editable.field), _form(request, editable.value_field)
        if locale is None or subject not in editable.items(locale):
            return _not_found(request)
        outcome = editable.edit(code, subject, value, _form(request, "base"))
        if not outcome.ok:
            stored = outcome.current if outcome.stale else editable.items(locale)[subject]
            return _edit_page(request, locale, kind, subject, stored, value, 409 if outcome.stale else 422,
                              outcome.errors, outcome.stale)
        if outcome.old != outcome.new:
            with session_scope() as db:
                audit.record(db, actor(request), editable.action, code, subject, old=outcome.old, new=outcome.new)
        return redirect(f"/console/content?locale={quote(code)}&saved={quote(subject)}", status=303)


def register(bp: Blueprint) -> None:
    @bp.get("/content")
    @require_role(*EDITORS)
    async def content(request: Request) -> HTTPResponse:
        locales = load_locales()
        code = request.args.get("locale") or next(iter(locales))
        locale = locales.get(code)
        if locale is None:
            return _not_found(request)
        return page(request, "console/editor_content.html", locales=list(locales), locale=locale,
                    answers=content_edit.faq_answers(locale), facts=content_edit.editable_facts(locale.facts),
                    saved=request.args.get("saved", ""))

    for kind in KINDS:
        _register_edit(bp, kind)

    @bp.get("/changes")
    @require_role(*EDITORS)
    async def changed(request: Request) -> HTTPResponse:
        version, per_locale = changes.against_published()
        return page(request, "console/editor_changes.html", version=version, locales=per_locale)

    @bp.get("/audit")
    @require_role(*EDITORS)
    async def audit_log(request: Request) -> HTTPResponse:
        page_number = max(1, int(request.args.get("page", "1")) if request.args.get("page", "1").isdigit() else 1)
        with session_scope() as db:
            rows = audit.recent(db, 100, (page_number - 1) * 100)
        return page(request, "console/editor_audit.html", rows=rows, page_number=page_number)
