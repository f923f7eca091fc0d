"""The unanswered-questions inbox page: groups of similar messages (masked), paginated, with the editor's
decisions: handled, dismissed, or added as a training example of a chosen topic. Every decision audited."""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot import SUPPORTED_LANGUAGES
from bot.console.auth import require_role
from bot.console.editor_content import EDITORS, actor
from bot.console.views import page
from bot.db.engine import session_scope
from bot.editor import audit, inbox
from bot.editor.content_edit import locked

PAGE_SIZE = 20


def _language(value: str | None) -> str:
    return value if value in SUPPORTED_LANGUAGES else ""


def _back(language: str, page_number: int, **extra: str) -> str:
    query = {k: v for k, v in {"language": language, "page": str(page_number), **extra}.items() if v}
    return "/console/inbox" + (f"?{urlencode(query)}" if query else "")


def register(bp: Blueprint) -> None:
    @bp.get("/inbox")
    @require_role(*EDITORS)
    async def listing(request: Request) -> HTTPResponse:
        language = _language(request.args.get("language"))
        raw_page = request.args.get("page", "1")
        page_number = max(1, int(raw_page)) if raw_page.isdigit() else 1
        with session_scope() as db:
            found = inbox.groups(db, language or None)
        pages = max(1, -(-len(found) // PAGE_SIZE))
        page_number = min(page_number, pages)
        shown = found[(page_number - 1) * PAGE_SIZE: page_number * PAGE_SIZE]
        topics = {lang: inbox.topics(lang) for lang in {g.language for g in shown} if lang in SUPPORTED_LANGUAGES}
        return page(request, "console/inbox.html", groups=shown, total=len(found), language=language,
                    languages=SUPPORTED_LANGUAGES, page_number=page_number, pages=pages, topics=topics,
                    done=request.args.get("done", ""), error=request.args.get("error", ""))

    @bp.post("/inbox/<gid>")
    @require_role(*EDITORS)
    async def decide(request: Request, gid: str) -> HTTPResponse:
        form = request.form or {}
        decision = str(form.get("decision") or "")
        language = _language(str(form.get("language") or ""))
        raw_page = str(form.get("page") or "1")
        back_page = int(raw_page) if raw_page.isdigit() else 1
        filtered = _language(str(form.get("filter") or ""))
        if decision not in ("handled", "dismissed", "add") or not language:
            return redirect(_back(filtered, back_page, error="unknown decision"), status=303)
        with session_scope() as db:
            group = inbox.find(db, gid, language)
            if group is None:
                return redirect(_back(filtered, back_page, error="that group has been decided already"), status=303)
            detail = {"messages": group.count}  # no customer wording in the audit (bot.privacy.registry)
            if decision == "add":
                intent, text = str(form.get("intent") or ""), str(form.get("text") or "")
                with locked():
                    problems = inbox.add_example(language, intent, text)
                if problems:
                    return redirect(_back(filtered, back_page, error=problems[0]), status=303)
                inbox.resolve(db, group, "added")
                audit.record(db, actor(request), "inbox_added", language, intent, example=" ".join(text.split()),
                             **detail)
            else:
                inbox.resolve(db, group, decision)
                audit.record(db, actor(request), f"inbox_{decision}", language, f"group {group.id}", **detail)
        return redirect(_back(filtered, back_page, done=decision), status=303)
