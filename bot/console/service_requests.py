"""Service requests routed to the agent's queues (contracts-<CC>, renewals-<CC>): list, detail with status
history and internal notes, take, add a note, change the status (audited through repository.change_status).
Plain forms posted to the server (Post/Redirect/Get), each with the session's CSRF token."""

from __future__ import annotations

import re

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.console.auth import current_user, may_see_queue, require_role
from bot.console.views import page
from bot.db import repository
from bot.db.engine import session_scope
from bot.db.models import REQUEST_STATUSES, ServiceRequest, User
from bot.handoff.models import Escalation

AGENTS = ("agent", "admin")
MAX_NOTE_CHARS = 4000


def _user(request: Request) -> User:
    user = current_user(request)
    assert user is not None  # require_role ran first
    return user


def actor(user: User) -> str:
    return f"agent:{user.name}"


def visible_request(db: Session, user: User, request_id: int) -> ServiceRequest | None:
    """The request when it is in one of the user's queues, or was filed in a conversation escalated to one."""
    found = db.execute(select(ServiceRequest).options(selectinload(ServiceRequest.changes),
                                                      selectinload(ServiceRequest.notes))
                       .where(ServiceRequest.id == request_id)).scalar_one_or_none()
    if found is None:
        return None
    if may_see_queue(user, found.queue):
        return found
    escalated = db.execute(select(Escalation.queue).where(Escalation.conversation_id == found.conversation_id)
                           ).scalars()
    return found if any(may_see_queue(user, queue) for queue in escalated) else None


def register(bp: Blueprint) -> None:
    @bp.get("/requests")
    @require_role(*AGENTS)
    async def request_list(request: Request) -> HTTPResponse:
        user = _user(request)
        status = request.args.get("status") or ""
        status = status if status in REQUEST_STATUSES else ""
        with session_scope() as db:
            rows = repository.requests_of_queues(db, user.queues or [], status or None)
            return page(request, "console/requests.html", requests=rows, selected=status, statuses=REQUEST_STATUSES)

    @bp.get("/requests/<request_id:int>")
    @require_role(*AGENTS)
    async def request_detail(request: Request, request_id: int) -> HTTPResponse:
        with session_scope() as db:
            found = visible_request(db, _user(request), request_id)
            if found is None:
                return page(request, "console/not_found.html", status=404)
            return page(request, "console/request.html", item=found, statuses=REQUEST_STATUSES,
                        error=request.args.get("error", ""))

    @bp.post("/requests/<request_id:int>/take")
    @require_role(*AGENTS)
    async def take(request: Request, request_id: int) -> HTTPResponse:
        user = _user(request)
        with session_scope() as db:
            found = visible_request(db, user, request_id)
            if found is None:
                return page(request, "console/not_found.html", status=404)
            repository.take_request(db, found, user.name, actor(user))
        return redirect(f"/console/requests/{request_id}", status=303)

    @bp.post("/requests/<request_id:int>/notes")
    @require_role(*AGENTS)
    async def note(request: Request, request_id: int) -> HTTPResponse:
        user = _user(request)
        text = str((request.form or {}).get("text") or "").strip()
        with session_scope() as db:
            found = visible_request(db, user, request_id)
            if found is None:
                return page(request, "console/not_found.html", status=404)
            if not text or len(text) > MAX_NOTE_CHARS:
                return redirect(f"/console/requests/{request_id}?error=note", status=303)
            repository.add_note(db, found, user.name, text)
        return redirect(f"/console/requests/{request_id}", status=303)

    @bp.post("/requests/<request_id:int>/status")
    @require_role(*AGENTS)
    async def status(request: Request, request_id: int) -> HTTPResponse:
        user = _user(request)
        form = request.form or {}
        new_status = str(form.get("status") or "")
        with session_scope() as db:
            found = visible_request(db, user, request_id)
            if found is None:
                return page(request, "console/not_found.html", status=404)
            if new_status not in REQUEST_STATUSES:
                return redirect(f"/console/requests/{request_id}?error=status", status=303)
            repository.change_status(db, found, new_status, actor(user))
        back = str(form.get("back") or "")  # the conversation view changes statuses too and wants to stay
        if not re.fullmatch(r"/console/conversations/\d+", back):
            back = f"/console/requests/{request_id}"
        return redirect(back, status=303)
