"""Assembles the console blueprint: session middleware, sign-in, home, agent and editor pages, static files."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console import (
    admin,
    editor_content,
    editor_import,
    editor_models,
    escalations,
    inbox,
    service_requests,
    signin,
    throttle,
)
from bot.console.auth import PREFIX, require_role, resolve_session
from bot.console.views import page
from bot.pages import TEMPLATES

STATIC = TEMPLATES.parent / "static" / "console"


def blueprint(policy: throttle.Policy | None = None, extra_links: tuple[dict[str, str], ...] = ()) -> Blueprint:
    bp = Blueprint("console", url_prefix=PREFIX)
    bp.middleware(resolve_session, "request")
    bp.static("/static", str(STATIC), name="console_static")

    @bp.get("/")
    @require_role()
    async def home(request: Request) -> HTTPResponse:
        return page(request, "console/home.html", extra_links=extra_links)

    signin.register(bp, policy or throttle.Policy())
    escalations.register(bp)
    service_requests.register(bp)
    admin.register(bp)
    editor_content.register(bp)
    editor_import.register(bp)
    editor_models.register(bp)
    inbox.register(bp)
    return bp
