"""The agent's escalation pages and their API: queue, claim, conversation, reply, typing, hand back, resolve,
heartbeat, live events. An agent sees escalations of their own queues only (anything else is "not found",
which tells nothing about other queues); only the agent who claimed a conversation writes into it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response
from sqlalchemy import select

from bot.console import live, suggestions
from bot.console.auth import current_user, may_see_queue, require_role
from bot.console.i18n import texts_for
from bot.console.views import page
from bot.db.engine import session_scope
from bot.db.models import REQUEST_STATUSES, ServiceRequest, User
from bot.handoff import rasa_api, service
from bot.handoff.bus import conversation_topic, publish_quietly, queue_topic
from bot.handoff.models import CLAIMED, Escalation
from bot.hours import current_time

logger = logging.getLogger(__name__)
AGENTS = ("agent", "admin")
MAX_REPLY_CHARS = service.MAX_MESSAGE_CHARS


def _user(request: Request) -> User:
    user = current_user(request)
    assert user is not None  # require_role ran first
    return user


def _visible(request: Request, escalation_id: int) -> dict[str, Any] | None:
    """The escalation's summary when it is in one of the agent's queues; None otherwise."""
    with session_scope() as db:
        escalation = db.get(Escalation, escalation_id)
        if escalation is None or not may_see_queue(_user(request), escalation.queue):
            return None
        return service.summary(escalation)


def _not_found() -> HTTPResponse:
    return json_response({"error": "not found"}, status=404)


def _text(request: Request, field: str, limit: int) -> str:
    body = request.json if isinstance(request.json, dict) else {}
    return str(body.get(field) or "").strip()[:limit]


def _agent_names(db: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.execute(select(User).where(User.id.in_(ids))).scalars()}


def queue_state(user: User) -> dict[str, Any]:
    """What the queue view shows: waiting escalations of the agent's queues and the agent's own open ones."""
    with session_scope() as db:
        waiting = [service.summary(e) for e in service.waiting(db, user.queues or [])]
        mine = [service.summary(e) for e in db.execute(
            select(Escalation).where(Escalation.agent_id == user.id, Escalation.status == CLAIMED)
            .order_by(Escalation.id)).scalars()]
    waiting.sort(key=lambda e: e["last_activity_at"] or "", reverse=True)  # newest activity first
    return {"queues": list(user.queues or []), "waiting": waiting, "mine": mine}


def conversation_state(summary: dict[str, Any]) -> dict[str, Any]:
    with session_scope() as db:
        requests = db.execute(select(ServiceRequest).where(
            ServiceRequest.conversation_id == summary["conversation_id"]).order_by(ServiceRequest.id)).scalars()
        filed = [{"id": r.id, "reference": r.reference, "type": r.request_type, "status": r.status,
                  "queue": r.queue} for r in requests]
        names = _agent_names(db, {summary["agent_id"]} if summary["agent_id"] else set())
    return {"escalation": summary, "agent_name": names.get(summary["agent_id"] or 0), "requests": filed}


def register(bp: Blueprint) -> None:
    @bp.get("/queue")
    @require_role(*AGENTS)
    async def queue_page(request: Request) -> HTTPResponse:
        return page(request, "console/queue.html", state=queue_state(_user(request)))

    @bp.get("/conversations/<escalation_id:int>")
    @require_role(*AGENTS)
    async def conversation_page(request: Request, escalation_id: int) -> HTTPResponse:
        summary = _visible(request, escalation_id)
        if summary is None:
            return page(request, "console/not_found.html", status=404)
        return page(request, "console/conversation.html", state=conversation_state(summary),
                    mine=summary["status"] == CLAIMED and summary["agent_id"] == _user(request).id,
                    statuses=REQUEST_STATUSES)

    @bp.get("/api/queue")
    @require_role(*AGENTS)
    async def queue_api(request: Request) -> HTTPResponse:
        return json_response(queue_state(_user(request)))

    @bp.get("/api/queue/events")
    @require_role(*AGENTS)
    async def queue_events(request: Request) -> HTTPResponse | None:
        await live.stream(request, [queue_topic(q) for q in _user(request).queues or []])
        return None

    @bp.post("/api/heartbeat")
    @require_role(*AGENTS)
    async def heartbeat(request: Request) -> HTTPResponse:
        user = _user(request)
        with session_scope() as db:
            # The clock the assistant checks availability with (CLOCK_OVERRIDE in browser tests, never in
            # production): presence and hours must be compared on one time line.
            service.heartbeat(db, user.id, user.queues or [], now=current_time())
        return json_response({"ok": True, "queues": user.queues or []})

    @bp.post("/api/escalations/<escalation_id:int>/claim")
    @require_role(*AGENTS)
    async def claim(request: Request, escalation_id: int) -> HTTPResponse:
        user = _user(request)
        if _visible(request, escalation_id) is None:
            return _not_found()
        with session_scope() as db:
            won = service.claim(db, escalation_id, user.id)
            summary = service.summary(db.get(Escalation, escalation_id))
        if not won:
            return json_response({"error": _t(request, "conversation.taken"), "escalation": summary}, status=409)
        await publish_quietly(request.app.ctx.bus, queue_topic(summary["queue"]),
                              {"type": "escalation_claimed", "escalation": summary})
        warning = await _rasa_call(rasa_api.agent_joined(summary["conversation_id"], user.display_name))
        return json_response({"ok": True, "escalation": summary, "warning": _t(request, warning)})

    @bp.get("/api/escalations/<escalation_id:int>")
    @require_role(*AGENTS)
    async def conversation_api(request: Request, escalation_id: int) -> HTTPResponse:
        summary = _visible(request, escalation_id)
        if summary is None:
            return _not_found()
        state = conversation_state(summary)
        try:
            state["transcript"] = await rasa_api.transcript(summary["conversation_id"])
        except Exception as error:  # noqa: BLE001 - show the rest of the page; say what is missing
            logger.warning("Transcript of %s unavailable: %s", summary["conversation_id"], error)
            state["transcript"] = []
            state["warning"] = texts_for(request, _user(request))("conversation.transcript_unavailable")
        return json_response(state)

    @bp.get("/api/escalations/<escalation_id:int>/events")
    @require_role(*AGENTS)
    async def conversation_events(request: Request, escalation_id: int) -> HTTPResponse | None:
        summary = _visible(request, escalation_id)
        if summary is None:
            return _not_found()
        await live.stream(request, [conversation_topic(summary["conversation_id"]), queue_topic(summary["queue"])])
        return None

    @bp.get("/api/escalations/<escalation_id:int>/suggestions")
    @require_role(*AGENTS)
    async def suggest(request: Request, escalation_id: int) -> HTTPResponse:
        summary = _visible(request, escalation_id)
        if summary is None:
            return _not_found()
        found = await suggestions.for_message(summary["last_customer_message"], summary["language"], summary["country"])
        if found.get("warning"):
            found["warning"] = texts_for(request, _user(request))("conversation.suggestions_unavailable")
        return json_response(found)

    @bp.post("/api/escalations/<escalation_id:int>/reply")
    @require_role(*AGENTS)
    async def reply(request: Request, escalation_id: int) -> HTTPResponse:
        user, text = _user(request), _text(request, "text", MAX_REPLY_CHARS)
        summary = _visible(request, escalation_id)
        if summary is None:
            return _not_found()
        if summary["status"] != CLAIMED or summary["agent_id"] != user.id:
            return json_response({"error": _t(request, "conversation.claim_first")}, status=409)
        if not text:
            return json_response({"error": _t(request, "conversation.empty_reply")}, status=400)
        error = await _rasa_call(rasa_api.send_agent_message(summary["conversation_id"], text, user.display_name))
        if error:
            return json_response({"error": _t(request, error)}, status=502)
        await publish_quietly(request.app.ctx.bus, conversation_topic(summary["conversation_id"]),
                              {"type": "agent_message", "text": text, "agent": user.display_name,
                               "conversation_id": summary["conversation_id"]})
        return json_response({"ok": True})

    @bp.post("/api/escalations/<escalation_id:int>/typing")
    @require_role(*AGENTS)
    async def typing(request: Request, escalation_id: int) -> HTTPResponse:
        user = _user(request)
        summary = _visible(request, escalation_id)
        if summary is None:
            return _not_found()
        if summary["status"] != CLAIMED or summary["agent_id"] != user.id:
            return json_response({"error": _t(request, "conversation.claim_first")}, status=409)
        on = bool((request.json or {}).get("typing")) if isinstance(request.json, dict) else False
        await _rasa_call(rasa_api.typing(summary["conversation_id"], user.display_name, on))
        return json_response({"ok": True})

    @bp.post("/api/escalations/<escalation_id:int>/hand-back")
    @require_role(*AGENTS)
    async def hand_back(request: Request, escalation_id: int) -> HTTPResponse:
        return await _close(request, escalation_id, resolve=False)

    @bp.post("/api/escalations/<escalation_id:int>/resolve")
    @require_role(*AGENTS)
    async def resolve(request: Request, escalation_id: int) -> HTTPResponse:
        return await _close(request, escalation_id, resolve=True)


async def _close(request: Request, escalation_id: int, resolve: bool) -> HTTPResponse:
    """Hand back or resolve (with a note), then give the conversation back to the assistant, which greets
    the customer in their language: a resolved conversation must not stay paused either."""
    user = _user(request)
    before = _visible(request, escalation_id)
    if before is None:
        return _not_found()
    with session_scope() as db:
        if resolve:
            done = service.resolve(db, escalation_id, user.id, _text(request, "note", service.MAX_MESSAGE_CHARS))
        else:
            done = service.hand_back(db, escalation_id, user.id)
        summary = service.summary(db.get(Escalation, escalation_id))
    if not done:
        return json_response({"error": _t(request, "conversation.not_yours"), "escalation": summary}, status=409)
    was_mine = before["status"] == CLAIMED
    warning = await _rasa_call(rasa_api.resume(summary["conversation_id"], summary["language"], summary["country"],
                                               agent=user.display_name if was_mine else None))
    await publish_quietly(request.app.ctx.bus, queue_topic(summary["queue"]),
                          {"type": "escalation_closed", "escalation": summary})
    await publish_quietly(request.app.ctx.bus, conversation_topic(summary["conversation_id"]),
                          {"type": "escalation_closed", "escalation": summary})
    return json_response({"ok": True, "escalation": summary, "warning": _t(request, warning)})


def _t(request: Request, key: str) -> str:
    """A console text in the agent's language; "" for no key."""
    return texts_for(request, _user(request))(key) if key else ""


async def _rasa_call(call: Any) -> str:
    """Runs a Rasa API call; returns "" or the key of the text saying what went wrong (the database state
    stays as decided)."""
    try:
        await asyncio.wait_for(call, timeout=rasa_api.TIMEOUT_S + 2)
        return ""
    except Exception as error:  # noqa: BLE001 - reported to the agent, logged here
        logger.warning("Rasa call failed: %s", error)
        return "conversation.assistant_failed"
